import { entitlementDenialFlushWorker } from "@/server/entitlements/count-denials";
import { entitlementReservationWorker } from "@/server/entitlements/entitlement-jobs";
import { meteringRollupWorker } from "@/server/metering/run-rollup-worker";
import { rateLimitPruneWorker } from "@/server/rate-limit/rate-limit-jobs";
import { stripeWebhookInboxWorker } from "@/server/stripe/webhook-inbox-worker";
import { jobs } from "@/server/jobs/registry";
import { planSimulationWorker } from "@/server/invoicing/plan-simulation-jobs";
import { createHealthSampleWorker } from "@/server/observability/health-sampler";
import { webhookDeliveryWorker } from "@/server/workflows/webhook-jobs";
import type { Worker } from "./types";

/** Each domain that needs a continuous loop adds it here. */
export const workers: Worker[] = [meteringRollupWorker, entitlementReservationWorker, stripeWebhookInboxWorker, rateLimitPruneWorker, entitlementDenialFlushWorker, createHealthSampleWorker(() => jobs.map((job) => job.name)), webhookDeliveryWorker, planSimulationWorker];
