import { z } from "zod";
import { listPromotions } from "@/server/promotions/list-promotions";
import { promotionsView } from "../../lists/promotion-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's promotions view (the export reads the same view). */
export const list = authorizedProcedure("promotions.read")
  .input(promotionsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listPromotions(ctx.db, input));
