import { z } from "zod";
import { listPromotionRedemptionsForView, promotionRedemptionsView } from "../../lists/promotion-lists";
import { authorizedProcedure } from "../../trpc";

/** One promotion's redemptions, paged (the export reads the same view). */
export const redemptions = authorizedProcedure("promotions.read")
  .input(promotionRedemptionsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listPromotionRedemptionsForView(ctx.db, input));
