import { ledgerJobs } from "@/server/ledger/jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = ledgerJobs.find((candidate) => candidate.name === "ledger:verify")!;

/** Daily at 02:15 UTC: recompute every balance from entries; a difference is a defect to page on. */
export function createLedgerVerifyFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 15 2 * * *" }, retries: 1, context });
}

export const ledgerVerify = createLedgerVerifyFunction();
