import { updatePlanVersionDraft, updatePlanVersionDraftInputSchema } from "@/server/catalog/update-plan-version-draft";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const planVersionUpdateDraft = authorizedProcedure("catalog.write")
  .input(updatePlanVersionDraftInputSchema.extend({ reason: optionalReason }))
  .mutation(({ ctx, input: { reason, ...input } }) =>
    updatePlanVersionDraft(ctx.db, { actor: ctx.actor, reason, clock: ctx.clock }, input),
  );
