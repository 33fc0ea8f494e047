import { anomalyJobs } from "@/server/anomalies/anomaly-jobs";
import { billingSyncJobs } from "@/server/billing-sync/billing-sync-jobs";
import { entitlementJobs } from "@/server/entitlements/entitlement-jobs";
import { grantJobs } from "@/server/grants/grant-jobs";
import { invoicingJobs } from "@/server/invoicing/invoicing-jobs";
import { ledgerJobs } from "@/server/ledger/jobs";
import { meteringJobs } from "@/server/metering/metering-jobs";
import { stripeJobs } from "@/server/stripe/stripe-jobs";
import { dunningJobs } from "@/server/dunning/dunning-jobs";
import { customerSummaryJobs } from "@/server/customers/customer-summary-jobs";
import { subscriptionJobs } from "@/server/customers/subscription-jobs";
import { rateLimitJobs } from "@/server/rate-limit/rate-limit-jobs";
import { reconciliationJobs } from "@/server/reconciliation/reconciliation-jobs";
import { apiJobs } from "@/server/http/api-jobs";
import { webhookJobs } from "@/server/workflows/webhook-jobs";
import type { JobDefinition } from "./types";

/**
 * Every background job, runnable from the command line (`npm run job -- <name>`) and wrapped
 * by an Inngest function in `inngest/functions/`. Each domain adds its jobs here.
 */
export const jobs: JobDefinition[] = [...meteringJobs, ...ledgerJobs, ...grantJobs, ...entitlementJobs, ...invoicingJobs, ...stripeJobs, ...dunningJobs, ...billingSyncJobs, ...subscriptionJobs, ...rateLimitJobs, ...anomalyJobs, ...reconciliationJobs, ...apiJobs, ...webhookJobs, ...customerSummaryJobs];

export function findJob(name: string): JobDefinition | undefined {
  return jobs.find((job) => job.name === name);
}
