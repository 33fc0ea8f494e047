import { archivePlanVersion, archivePlanVersionInputSchema } from "@/server/catalog/archive-plan-version";
import { authorizedProcedure } from "../../trpc";
import { requiredReason } from "./reason";

export const planVersionArchive = authorizedProcedure("catalog.write")
  .input(archivePlanVersionInputSchema.extend({ reason: requiredReason }))
  .mutation(({ ctx, input: { reason, ...input } }) =>
    archivePlanVersion(ctx.db, { actor: ctx.actor, reason, clock: ctx.clock }, input),
  );
