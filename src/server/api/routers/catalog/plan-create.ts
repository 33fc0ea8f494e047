import { createPlan, createPlanInputSchema } from "@/server/catalog/create-plan";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const planCreate = authorizedProcedure("catalog.write")
  .input(createPlanInputSchema.extend({ reason: optionalReason }))
  .mutation(({ ctx, input: { reason, ...input } }) => createPlan(ctx.db, { actor: ctx.actor, reason }, input));
