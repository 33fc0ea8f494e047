import { subscriptionJobs } from "@/server/customers/subscription-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const job = subscriptionJobs.find((candidate) => candidate.name === "subscriptions:apply-scheduled-changes")!;

/** Hourly (anchors are whole hours): period-end downgrades take effect at the period boundary. */
export function createSubscriptionsApplyScheduledChangesFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job, trigger: { cron: "TZ=UTC 1 * * * *" }, retries: 3, context });
}

export const subscriptionsApplyScheduledChanges = createSubscriptionsApplyScheduledChangesFunction();
