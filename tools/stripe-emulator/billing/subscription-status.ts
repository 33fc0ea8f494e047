import type Stripe from "stripe";
import type { Engine } from "../engine";
import { idOf } from "../objects/invoices";
import { createDraftInvoice, attachPendingItems, createInvoiceItem, finalizeInvoice, markInvoiceUncollectible } from "./invoicing";
import { periodDrafts, prorationDrafts } from "./lines";
import { lineFromDraft, addLine } from "./invoicing";
import { collectInvoice } from "./payments";
import { onScheduledSubscriptionCanceled } from "./schedules";

export function subscriptionOf(engine: Engine, invoice: Stripe.Invoice): Stripe.Subscription | undefined {
  const id = invoice.parent?.subscription_details?.subscription;
  return typeof id === "string" ? engine.store.get("subscription", id) : undefined;
}

export function currentPeriod(subscription: Stripe.Subscription): { start: number; end: number } {
  const item = subscription.items.data[0];
  if (item === undefined) throw new Error(`subscription ${subscription.id} has no items`);
  return { start: item.current_period_start, end: item.current_period_end };
}

export function setPeriod(subscription: Stripe.Subscription, start: number, end: number): void {
  for (const item of subscription.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
}

/** A paid invoice brings an incomplete, past_due or unpaid subscription back to active once nothing else is owed. */
export function onInvoicePaid(engine: Engine, invoice: Stripe.Invoice): void {
  const subscription = subscriptionOf(engine, invoice);
  if (subscription === undefined) return;
  if (!["incomplete", "past_due", "unpaid"].includes(subscription.status)) return;
  const stillOwed = engine.store
    .all("invoice")
    .some((other) => other.status === "open" && other.amount_remaining > 0 && subscriptionOf(engine, other)?.id === subscription.id);
  if (stillOwed) return;
  engine.track(subscription, "customer.subscription.updated", () => {
    subscription.status = trialOngoing(engine, subscription) ? "trialing" : "active";
  });
}

export function onInvoicePaymentFailed(engine: Engine, invoice: Stripe.Invoice): void {
  const subscription = subscriptionOf(engine, invoice);
  if (subscription === undefined || invoice.billing_reason === "subscription_create") return;
  if (subscription.status !== "active" && subscription.status !== "trialing") return;
  engine.track(subscription, "customer.subscription.updated", () => {
    subscription.status = "past_due";
  });
}

/** Every retry failed: the subscription and invoice end as configured (Stripe's "manage failed payments" settings). */
export function onRetriesExhausted(engine: Engine, invoice: Stripe.Invoice): void {
  const settings = engine.config.dunning;
  if (settings.invoiceAfterRetries === "uncollectible") markInvoiceUncollectible(engine, invoice);
  const subscription = subscriptionOf(engine, invoice);
  if (subscription === undefined || subscription.status === "canceled") return;
  if (settings.subscriptionAfterRetries === "canceled") {
    cancelSubscriptionNow(engine, subscription, { reason: "payment_failed", prorate: false, invoiceNow: false });
  } else if (settings.subscriptionAfterRetries === "unpaid") {
    engine.track(subscription, "customer.subscription.updated", () => {
      subscription.status = "unpaid";
    });
  }
}

function trialOngoing(engine: Engine, subscription: Stripe.Subscription): boolean {
  return subscription.trial_end !== null && subscription.trial_end > engine.nowForCustomer(idOf(subscription.customer));
}

export interface CancelOptions {
  reason: Stripe.Subscription.CancellationDetails.Reason;
  prorate: boolean;
  invoiceNow: boolean;
}

/** Ends a subscription now; optionally credits unused time and bills what is pending (and metered usage) at once. */
export function cancelSubscriptionNow(engine: Engine, subscription: Stripe.Subscription, options: CancelOptions): void {
  const customerId = idOf(subscription.customer) ?? "";
  const now = engine.nowForCustomer(customerId);
  const period = currentPeriod(subscription);
  const wasTrialing = subscription.status === "trialing";
  if (options.prorate && !wasTrialing && now < period.end) {
    const changes = subscription.items.data.map((item) => ({
      subscriptionItem: item.id,
      oldPrice: item.price,
      oldQuantity: item.quantity ?? 1,
      newPrice: null,
      newQuantity: 0,
    }));
    for (const draft of prorationDrafts(engine, subscription, changes, now, period)) createInvoiceItem(engine, customerId, draft, null);
  }
  const previous = { status: subscription.status, canceled_at: subscription.canceled_at, ended_at: subscription.ended_at };
  subscription.status = "canceled";
  subscription.canceled_at = subscription.canceled_at ?? now;
  subscription.ended_at = now;
  subscription.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: options.reason };
  engine.emit("customer.subscription.deleted", subscription, previous);
  onScheduledSubscriptionCanceled(engine, subscription, now);
  if (options.invoiceNow) invoiceFinalUsage(engine, subscription, { start: period.start, end: now }, wasTrialing);
}

function invoiceFinalUsage(engine: Engine, subscription: Stripe.Subscription, usagePeriod: { start: number; end: number }, free: boolean): void {
  const customer = engine.store.require("customer", idOf(subscription.customer) ?? "");
  const invoice = createDraftInvoice(engine, {
    customer,
    subscription,
    billingReason: "subscription_cycle",
    periodStart: usagePeriod.start,
    periodEnd: usagePeriod.end,
    autoAdvance: true,
    collectionMethod: subscription.collection_method,
    daysUntilDue: subscription.days_until_due,
    description: null,
    metadata: {},
    defaultPaymentMethod: null,
    currency: subscription.currency,
  });
  const metered = periodDrafts(engine, subscription, usagePeriod, usagePeriod, { period: true, usage: free }).filter(
    (draft) => draft.price?.recurring?.usage_type === "metered",
  );
  for (const draft of metered) addLine(invoice, lineFromDraft(engine, draft, invoice.id, null));
  attachPendingItems(engine, invoice, subscription.id);
  invoice.automatically_finalizes_at = null;
  engine.emit("invoice.created", invoice);
  finalizeInvoice(engine, invoice);
  if (invoice.status === "open" && invoice.collection_method === "charge_automatically") collectInvoice(engine, invoice, { automatic: true });
}
