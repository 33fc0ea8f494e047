import { publishPlanVersion, publishPlanVersionInputSchema } from "@/server/catalog/publish-plan-version";
import { authorizedProcedure } from "../../trpc";
import { requiredReason } from "./reason";

export const planVersionPublish = authorizedProcedure("catalog.write")
  .input(publishPlanVersionInputSchema.extend({ reason: requiredReason }))
  .mutation(({ ctx, input: { reason, ...input } }) =>
    publishPlanVersion(ctx.db, { actor: ctx.actor, reason, clock: ctx.clock }, input),
  );
