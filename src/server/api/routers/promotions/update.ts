import { updatePromotionSchema } from "@/server/promotions/promotion-schemas";
import { updatePromotion } from "@/server/promotions/update-promotion";
import { authorizedProcedure } from "../../trpc";

export const update = authorizedProcedure("promotions.write")
  .input(updatePromotionSchema)
  .mutation(({ ctx, input }) => updatePromotion(ctx.db, ctx.actor, ctx.clock, input));
