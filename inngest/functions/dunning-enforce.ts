import { dunningJobs } from "@/server/dunning/dunning-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = dunningJobs.find((candidate) => candidate.name === "dunning:enforce")!;

/** Hourly: restrict the usage-based features of customers whose failed payment is past its grace period. */
export function createDunningEnforceFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 20 * * * *" }, retries: 3, context });
}

export const dunningEnforce = createDunningEnforceFunction();
