import { z } from "zod";
import { planVersionTermsSchema } from "@/server/catalog/catalog-schemas";
import { createPlanVersion } from "@/server/catalog/create-plan-version";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const planVersionCreate = authorizedProcedure("catalog.write")
  .input(
    z.object({
      planId: z.uuid(),
      fromVersionId: z.uuid().optional(),
      terms: planVersionTermsSchema.optional(),
      reason: optionalReason,
    }),
  )
  .mutation(({ ctx, input: { reason, ...input } }) => createPlanVersion(ctx.db, { actor: ctx.actor, reason }, input));
