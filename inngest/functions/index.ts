import type { InngestFunction } from "inngest";
import { anomaliesDetectDaily, anomaliesDetectHourly } from "./anomalies-detect";
import { apiPrune } from "./api-prune";
import { webhooksDeliver, webhooksWarnExpiringCredits } from "./webhooks-deliver";
import { billingPushDue, billingPushInvoice } from "./billing-push";
import { dunningEnforce } from "./dunning-enforce";
import { subscriptionsApplyScheduledChanges } from "./subscriptions-apply-scheduled-changes";
import { entitlementsExpireReservations } from "./entitlements-expire-reservations";
import { customersRefreshSummaries } from "./customers-refresh-summaries";
import { grantsExpire } from "./grants-expire";
import { invoicingCloseDue, invoicingCloseSubscription } from "./invoicing-close";
import { invoicingPlanSimulation } from "./invoicing-plan-simulation";
import { invoicingThresholds } from "./invoicing-thresholds";
import { ledgerVerify } from "./ledger-verify";
import { meteringPruneKeys } from "./metering-prune-keys";
import { reconcileDaily } from "./reconcile";
import { stripeProcessWebhookEvent } from "./stripe-process-webhook-event";
import { stripeSyncCustomer } from "./stripe-sync-customer";
import { stripeSyncSubscription } from "./stripe-sync-subscription";

/**
 * One function per file, each a thin wrapper over one domain function with every side effect
 * inside `step.run`. Each is registered here and served by /api/inngest.
 */
export const functions: InngestFunction.Any[] = [ledgerVerify, meteringPruneKeys, grantsExpire, entitlementsExpireReservations, invoicingCloseDue, invoicingCloseSubscription, invoicingPlanSimulation, invoicingThresholds, stripeSyncCustomer, stripeSyncSubscription, stripeProcessWebhookEvent, dunningEnforce, billingPushDue, billingPushInvoice, subscriptionsApplyScheduledChanges, anomaliesDetectHourly, anomaliesDetectDaily, reconcileDaily, apiPrune, webhooksDeliver, webhooksWarnExpiringCredits, customersRefreshSummaries];
