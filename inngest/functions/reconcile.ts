import { reconciliationJobs } from "@/server/reconciliation/reconciliation-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = reconciliationJobs.find((candidate) => candidate.name === "reconcile")!;

/** Daily at 03:30 UTC (after ledger:verify at 02:15): record and clear discrepancies between the books. */
export function createReconcileFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 30 3 * * *" }, retries: 2, context });
}

export const reconcileDaily = createReconcileFunction();
