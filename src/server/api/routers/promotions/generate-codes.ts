import { z } from "zod";
import { generatePromotionCodes } from "@/server/promotions/generate-promotion-codes";
import { promotionLimits } from "@/server/promotions/promotion-schemas";
import { authorizedProcedure } from "../../trpc";

export const generateCodes = authorizedProcedure("promotions.write")
  .input(z.object({ promotionId: z.uuid(), count: z.number().int().min(1).max(promotionLimits.generatedCodesPerCallMax), prefix: z.string().trim().max(16).optional() }))
  .mutation(({ ctx, input }) => generatePromotionCodes(ctx.db, ctx.actor, ctx.clock, input));
