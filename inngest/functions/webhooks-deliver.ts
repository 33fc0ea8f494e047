import { webhookJobs } from "@/server/workflows/webhook-jobs";
import { createJobFunction, type JobFunctionOptions } from "../job-function";

const deliver = webhookJobs.find((candidate) => candidate.name === "webhooks:deliver")!;
const warn = webhookJobs.find((candidate) => candidate.name === "webhooks:warn-expiring-credits")!;

/** Every minute: a safety net behind the in-process workers (which deliver within a second); SKIP LOCKED keeps them from sending one delivery twice at once. */
export function createWebhooksDeliverFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job: deliver, trigger: { cron: "TZ=UTC * * * * *" }, retries: 2, context });
}

/** Daily at 07:10 UTC: credit.expiring for grants that expire within a week. */
export function createWebhooksWarnExpiringCreditsFunction(context?: JobFunctionOptions["context"]) {
  return createJobFunction({ job: warn, trigger: { cron: "TZ=UTC 10 7 * * *" }, retries: 2, context });
}

export const webhooksDeliver = createWebhooksDeliverFunction();
export const webhooksWarnExpiringCredits = createWebhooksWarnExpiringCreditsFunction();
