import { z } from "zod";
import { listPromotions } from "@/server/promotions/list-promotions";
import { authorizedProcedure } from "../../trpc";

export const list = authorizedProcedure("promotions.read")
  .input(z.object({}).default({}))
  .query(({ ctx }) => listPromotions(ctx.db));
