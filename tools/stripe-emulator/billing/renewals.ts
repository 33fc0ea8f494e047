import type Stripe from "stripe";
import { cloneDeep, type Engine } from "../engine";
import { idOf } from "../objects/invoices";
import { addLine, attachPendingItems, createDraftInvoice, lineFromDraft } from "./invoicing";
import { periodDrafts } from "./lines";
import { nextBoundaryAfter } from "./periods";
import { applyDueSchedulePhase } from "./schedules";
import { cancelSubscriptionNow, currentPeriod, setPeriod } from "./subscription-status";

/**
 * At the end of a period: cancel if asked to, else start the next period and open its invoice as a
 * draft (finalized after the draft window). A trial ending is the same step, with the status change.
 */
export function renewSubscription(engine: Engine, subscription: Stripe.Subscription): void {
  const customerId = idOf(subscription.customer) ?? "";
  const period = currentPeriod(subscription);
  const wasTrialing = subscription.status === "trialing";
  if (subscription.cancel_at !== null && subscription.cancel_at <= period.end) {
    cancelSubscriptionNow(engine, subscription, { reason: "cancellation_requested", prorate: false, invoiceNow: hasMetered(subscription) });
    return;
  }
  const before = cloneDeep(subscription);
  applyDueSchedulePhase(engine, subscription, period.end);
  const first = subscription.items.data[0];
  const recurring = first?.price.recurring;
  if (first === undefined || recurring === null || recurring === undefined) return;
  const nextEnd = nextBoundaryAfter(subscription.billing_cycle_anchor, recurring.interval, recurring.interval_count, period.end);
  setPeriod(subscription, period.end, nextEnd);
  if (wasTrialing) {
    const customer = engine.store.require("customer", customerId);
    const hasPaymentMethod = subscription.default_payment_method !== null || customer.invoice_settings.default_payment_method !== null;
    const behavior = subscription.trial_settings?.end_behavior.missing_payment_method ?? "create_invoice";
    if (!hasPaymentMethod && behavior === "cancel") {
      cancelSubscriptionNow(engine, subscription, { reason: "cancellation_requested", prorate: false, invoiceNow: false });
      return;
    }
    if (!hasPaymentMethod && behavior === "pause") {
      subscription.status = "paused";
      emitUpdated(engine, subscription, before);
      engine.emit("customer.subscription.paused", subscription);
      return;
    }
    subscription.status = "active";
  }
  const invoice = createDraftInvoice(engine, {
    customer: engine.store.require("customer", customerId),
    subscription,
    billingReason: "subscription_cycle",
    periodStart: period.start,
    periodEnd: period.end,
    // Stripe stops collecting automatically once a subscription is unpaid: its invoices stay draft.
    autoAdvance: subscription.status !== "unpaid",
    collectionMethod: subscription.collection_method,
    daysUntilDue: subscription.days_until_due,
    description: null,
    metadata: {},
    defaultPaymentMethod: null,
    currency: subscription.currency,
  });
  const drafts = periodDrafts(engine, subscription, { start: period.end, end: nextEnd }, period, { period: false, usage: wasTrialing });
  for (const draft of drafts) addLine(invoice, lineFromDraft(engine, draft, invoice.id, null));
  attachPendingItems(engine, invoice, subscription.id);
  subscription.latest_invoice = invoice.id;
  engine.emit("invoice.created", invoice);
  emitUpdated(engine, subscription, before);
}

function hasMetered(subscription: Stripe.Subscription): boolean {
  return subscription.items.data.some((item) => item.price.recurring?.usage_type === "metered");
}

function emitUpdated(engine: Engine, subscription: Stripe.Subscription, before: Stripe.Subscription): void {
  const previous: Record<string, unknown> = {};
  const beforeRecord = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
  const afterRecord = JSON.parse(JSON.stringify(subscription)) as Record<string, unknown>;
  for (const key of Object.keys(afterRecord)) {
    if (JSON.stringify(beforeRecord[key]) !== JSON.stringify(afterRecord[key])) previous[key] = beforeRecord[key] ?? null;
  }
  engine.emit("customer.subscription.updated", subscription, previous);
}
