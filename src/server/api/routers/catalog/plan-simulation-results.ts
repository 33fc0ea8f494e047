import { z } from "zod";
import { listPlanSimulationResultsForView, planSimulationResultsView } from "../../lists/plan-simulation-lists";
import { authorizedProcedure } from "../../trpc";

/** One run's per-customer results, sorted, filtered and paged (the export reads the same view). */
export const planSimulationResults = authorizedProcedure("catalog.write")
  .input(planSimulationResultsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listPlanSimulationResultsForView(ctx.db, input));
