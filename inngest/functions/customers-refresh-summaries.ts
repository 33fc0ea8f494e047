import { customerSummaryJobs } from "@/server/customers/customer-summary-jobs";
import { createJobFunction } from "../job-function";

const job = customerSummaryJobs.find((candidate) => candidate.name === "customers:refresh-summaries")!;

/** Every 5 minutes: the customer list's month-to-date spend is at most that old. */
export const customersRefreshSummaries = createJobFunction({ job, trigger: { cron: "TZ=UTC */5 * * * *" }, retries: 1 });
