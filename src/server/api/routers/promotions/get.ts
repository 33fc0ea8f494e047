import { z } from "zod";
import { getPromotion } from "@/server/promotions/get-promotion";
import { authorizedProcedure } from "../../trpc";

export const get = authorizedProcedure("promotions.read")
  .input(z.object({ promotionId: z.uuid() }))
  .query(({ ctx, input }) => getPromotion(ctx.db, input.promotionId));
