import { createPromotion } from "@/server/promotions/create-promotion";
import { createPromotionSchema } from "@/server/promotions/promotion-schemas";
import { authorizedProcedure } from "../../trpc";

export const create = authorizedProcedure("promotions.write")
  .input(createPromotionSchema)
  .mutation(({ ctx, input }) => createPromotion(ctx.db, ctx.actor, ctx.clock, input));
