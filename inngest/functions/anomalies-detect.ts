import { anomalyJobs } from "@/server/anomalies/anomaly-jobs";
import type { JobDefinition } from "@/server/jobs/types";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = anomalyJobs.find((candidate) => candidate.name === "anomalies:detect")!;

function withMode(name: string, mode: "hourly" | "daily"): JobDefinition {
  return { ...job, name, run: (context, args) => job.run(context, { mode, ...args }) };
}

/**
 * Hourly at :20 (after the hour's rollups and the period close at :05): refreshes yesterday's and
 * today's daily usage and runs every detector, so "usage stopped" is seen within hours. Detection is
 * idempotent, so a retry opens nothing twice; one run at a time per function, and the write of
 * both functions is serialized by an advisory lock.
 */
export function createAnomaliesDetectHourlyFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job: withMode("anomalies:detect-hourly", "hourly"), trigger: { cron: "TZ=UTC 20 * * * *" }, retries: 2, context });
}

/** Daily at 03:40 UTC: the same with the whole look-back window refreshed (late events of the past week). */
export function createAnomaliesDetectDailyFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job: withMode("anomalies:detect-daily", "daily"), trigger: { cron: "TZ=UTC 40 3 * * *" }, retries: 2, context });
}

export const anomaliesDetectHourly = createAnomaliesDetectHourlyFunction();
export const anomaliesDetectDaily = createAnomaliesDetectDailyFunction();
