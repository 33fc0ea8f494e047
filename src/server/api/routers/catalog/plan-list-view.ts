import { z } from "zod";
import { listPlansView } from "@/server/catalog/list-plans-view";
import { plansView } from "../../lists/plan-lists";
import { authorizedProcedure } from "../../trpc";

/** Every plan, paged, sorted and filtered for the console (the export reads the same view). */
export const planListView = authorizedProcedure("catalog.read")
  .input(plansView.extend({ limit: z.number().int().min(1).max(200).default(25) }))
  .query(({ ctx, input }) => listPlansView(ctx.db, input));
