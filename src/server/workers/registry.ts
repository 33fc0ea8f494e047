import { entitlementReservationWorker } from "@/server/entitlements/entitlement-jobs";
import { meteringRollupWorker } from "@/server/metering/run-rollup-worker";
import { stripeWebhookInboxWorker } from "@/server/stripe/webhook-inbox-worker";
import type { Worker } from "./types";

/** Each domain that needs a continuous loop adds it here. */
export const workers: Worker[] = [meteringRollupWorker, entitlementReservationWorker, stripeWebhookInboxWorker];
