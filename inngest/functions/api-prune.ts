import { apiJobs } from "@/server/http/api-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = apiJobs.find((candidate) => candidate.name === "api:prune")!;

/** Hourly at :35: Idempotency-Keys past 24 hours and API request log rows past 30 days. */
export function createApiPruneFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 35 * * * *" }, retries: 2, context });
}

export const apiPrune = createApiPruneFunction();
