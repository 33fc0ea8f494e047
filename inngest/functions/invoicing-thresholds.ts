import { invoicingJobs } from "@/server/invoicing/invoicing-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = invoicingJobs.find((candidate) => candidate.name === "invoicing:thresholds")!;

/** Every 15 minutes: usage past a customer's threshold is invoiced within a quarter of an hour of the rollup. */
export function createInvoicingThresholdsFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC */15 * * * *" }, retries: 3, context });
}

export const invoicingThresholds = createInvoicingThresholdsFunction();
