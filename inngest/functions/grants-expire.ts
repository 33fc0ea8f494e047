import { grantJobs } from "@/server/grants/grant-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = grantJobs.find((candidate) => candidate.name === "grants:expire")!;

/** Hourly: a grant's remainder leaves its account within an hour of its expiry. */
export function createGrantsExpireFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 7 * * * *" }, retries: 3, context });
}

export const grantsExpire = createGrantsExpireFunction();
