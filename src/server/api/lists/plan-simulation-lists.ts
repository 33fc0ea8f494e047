import { z } from "zod";
import type { Db } from "@/db/client";
import { listPlanSimulationResults, simulationResultChanges, simulationResultSortKeys, type PlanSimulationResultRow } from "@/server/invoicing/list-plan-simulation-results";
import type { ListExport } from "./export-list";

/** URL view of one simulation run's results: `run` is its id (the page's path, the export's parameter); `q` part of a customer's name or external id. */
export const planSimulationResultsView = z.object({
  run: z.uuid(),
  search: z.string().trim().max(200).optional(),
  change: z.enum(simulationResultChanges).optional(),
  sort: z.enum(simulationResultSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type PlanSimulationResultsView = z.infer<typeof planSimulationResultsView>;

export const listPlanSimulationResultsForView = (db: Db, input: PlanSimulationResultsView) => listPlanSimulationResults(db, { ...input, runId: input.run });

export const planSimulationResultsExport: ListExport<PlanSimulationResultsView, PlanSimulationResultRow> = {
  permission: "catalog.write",
  filename: "simulation-results",
  schema: planSimulationResultsView,
  list: listPlanSimulationResultsForView,
  columns: [
    { label: "Customer", value: (row) => row.customerName },
    { label: "External id", value: (row) => row.customerExternalId },
    { label: "Customer id", value: (row) => row.customerId },
    { label: "Subscription", value: (row) => row.subscriptionId },
    { label: "Period start", value: (row) => row.periodStart },
    { label: "Period end", value: (row) => row.periodEnd },
    { label: "Now", type: "money", value: (row) => row.currentMicros },
    { label: "Proposed", type: "money", value: (row) => row.proposedMicros },
    { label: "Difference", type: "money", value: (row) => row.differenceMicros },
  ],
};
