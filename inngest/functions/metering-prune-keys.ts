import { meteringJobs } from "@/server/metering/metering-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = meteringJobs.find((candidate) => candidate.name === "metering:prune-keys")!;

/** Daily at 03:40 UTC: drop dedup keys past the lateness window (usage_event_keys would grow forever). */
export function createMeteringPruneKeysFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 40 3 * * *" }, retries: 2, context });
}

export const meteringPruneKeys = createMeteringPruneKeysFunction();
