import { listPlans, listPlansInputSchema } from "@/server/catalog/list-plans";
import { authorizedProcedure } from "../../trpc";

export const planList = authorizedProcedure("catalog.read")
  .input(listPlansInputSchema)
  .query(({ ctx, input }) => listPlans(ctx.db, input));
