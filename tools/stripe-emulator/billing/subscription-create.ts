import type Stripe from "stripe";
import type { Engine } from "../engine";
import { cardDeclined, invalidRequest } from "../errors";
import { unitAmountOf } from "../objects/catalog";
import { buildSubscription, buildSubscriptionItem } from "../objects/subscriptions";
import { prorate } from "../money";
import { addLine, attachPendingItems, createDraftInvoice, finalizeInvoice, lineFromDraft } from "./invoicing";
import { periodDrafts, productName, type LineDraft } from "./lines";
import { addIntervals, formatDate, nextBoundaryAfter } from "./periods";
import { collectInvoice } from "./payments";

export interface NewSubscriptionItem {
  price: Stripe.Price;
  quantity: number;
  metadata: Record<string, string>;
}

export interface NewSubscription {
  customer: Stripe.Customer;
  items: NewSubscriptionItem[];
  trialEnd: number | null;
  billingCycleAnchor: number | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: number | null;
  defaultPaymentMethod: string | null;
  collectionMethod: Stripe.Subscription.CollectionMethod;
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  paymentBehavior: "allow_incomplete" | "default_incomplete" | "error_if_incomplete" | "pending_if_incomplete";
  prorationBehavior: "create_prorations" | "none" | "always_invoice";
  missingPaymentMethod: Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod;
}

/** Creates a subscription and its first invoice, which is finalized and charged at once (no draft window). */
export function createSubscription(engine: Engine, input: NewSubscription): Stripe.Subscription {
  const now = engine.nowForCustomer(input.customer.id);
  const first = validateItems(input.items);
  const recurring = first.price.recurring as Stripe.Price.Recurring;
  const trialing = input.trialEnd !== null && input.trialEnd > now;
  const anchor = input.billingCycleAnchor ?? (trialing ? (input.trialEnd as number) : now);
  const periodEnd = trialing ? (input.trialEnd as number) : nextBoundaryAfter(anchor, recurring.interval, recurring.interval_count, now);
  if (input.paymentBehavior === "error_if_incomplete" && !trialing) refuseIfCardWouldFail(engine, input);
  const subscription = buildSubscription({
    id: engine.id("sub"),
    created: now,
    customer: input.customer.id,
    currency: first.price.currency,
    billingCycleAnchor: anchor,
    collectionMethod: input.collectionMethod,
    daysUntilDue: input.daysUntilDue,
    defaultPaymentMethod: input.defaultPaymentMethod,
    description: input.description,
    metadata: input.metadata,
    testClock: engine.clockOfCustomer(input.customer.id),
    trialStart: trialing ? now : null,
    trialEnd: trialing ? input.trialEnd : null,
    missingPaymentMethodBehavior: input.missingPaymentMethod,
  });
  subscription.status = trialing ? "trialing" : "incomplete";
  subscription.cancel_at_period_end = input.cancelAtPeriodEnd;
  subscription.cancel_at = input.cancelAtPeriodEnd ? periodEnd : input.cancelAt;
  subscription.items.data = input.items.map((item) => {
    const created = buildSubscriptionItem({
      id: engine.id("si", 14),
      created: now,
      subscription: subscription.id,
      price: item.price,
      quantity: item.quantity,
      metadata: item.metadata,
      periodStart: now,
      periodEnd,
    });
    engine.store.subscriptionOfItem.set(created.id, subscription.id);
    return created;
  });
  engine.store.insert("subscription", subscription);
  engine.emit("customer.subscription.created", subscription);
  const invoice = firstInvoice(engine, input, subscription, { start: now, end: periodEnd }, trialing, anchor);
  subscription.latest_invoice = invoice.id;
  if (input.paymentBehavior !== "default_incomplete" && invoice.status === "open" && invoice.collection_method === "charge_automatically") {
    collectInvoice(engine, invoice, { automatic: true });
  } else if (invoice.status === "open" && invoice.collection_method === "send_invoice") {
    engine.track(subscription, "customer.subscription.updated", () => {
      subscription.status = "active";
    });
  }
  return subscription;
}

function validateItems(items: NewSubscriptionItem[]): NewSubscriptionItem {
  const first = items[0];
  if (first === undefined) throw invalidRequest("Missing required param: items.", "items", "parameter_missing");
  items.forEach((item, index) => {
    const recurring = item.price.recurring;
    if (recurring === null)
      throw invalidRequest(
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
        `items[${index}][price]`,
      );
    const firstRecurring = first.price.recurring as Stripe.Price.Recurring;
    if (recurring.interval !== firstRecurring.interval || recurring.interval_count !== firstRecurring.interval_count)
      throw invalidRequest("Prices in a subscription must all have the same billing interval.", `items[${index}][price]`);
    if (item.price.currency !== first.price.currency)
      throw invalidRequest("Prices in a subscription must all use the same currency.", `items[${index}][price]`);
  });
  return first;
}

function refuseIfCardWouldFail(engine: Engine, input: NewSubscription): void {
  const paymentMethod = input.defaultPaymentMethod ?? (input.customer.invoice_settings.default_payment_method as string | null);
  if (paymentMethod === null) throw invalidRequest("This customer has no attached payment source or default payment method.");
  const behavior = engine.cardBehavior.get(paymentMethod);
  if (behavior?.outcome === "decline") throw cardDeclined(behavior.declineCode);
}

function firstInvoice(
  engine: Engine,
  input: NewSubscription,
  subscription: Stripe.Subscription,
  period: { start: number; end: number },
  trialing: boolean,
  anchor: number,
): Stripe.Invoice {
  const invoice = createDraftInvoice(engine, {
    customer: input.customer,
    subscription,
    billingReason: "subscription_create",
    periodStart: period.start,
    periodEnd: period.start,
    autoAdvance: true,
    collectionMethod: input.collectionMethod,
    daysUntilDue: input.daysUntilDue,
    description: null,
    metadata: {},
    defaultPaymentMethod: null,
    currency: subscription.currency,
  });
  invoice.automatically_finalizes_at = null;
  const drafts = !trialing && anchor > period.start ? partialPeriodDrafts(engine, subscription, period, input.prorationBehavior) : periodDrafts(engine, subscription, period, null, { period: trialing, usage: trialing });
  for (const draft of drafts) addLine(invoice, lineFromDraft(engine, draft, invoice.id, null));
  attachPendingItems(engine, invoice, subscription.id);
  engine.emit("invoice.created", invoice);
  finalizeInvoice(engine, invoice);
  return invoice;
}

/** A future billing_cycle_anchor: the first period [now, anchor) is prorated against a full interval ending at the anchor. */
function partialPeriodDrafts(
  engine: Engine,
  subscription: Stripe.Subscription,
  period: { start: number; end: number },
  prorationBehavior: NewSubscription["prorationBehavior"],
): LineDraft[] {
  return subscription.items.data
    .filter((item) => item.price.recurring?.usage_type !== "metered")
    .map((item) => {
      const recurring = item.price.recurring as Stripe.Price.Recurring;
      const fullStart = addIntervals(period.end, recurring.interval, -recurring.interval_count);
      const quantity = item.quantity ?? 1;
      const unit = unitAmountOf(item.price);
      const amount =
        prorationBehavior === "none"
          ? 0
          : prorate({ unitAmountDecimal: unit, quantity, remainingSeconds: period.end - period.start, periodSeconds: period.end - fullStart });
      return {
        amount,
        description: `Remaining time on ${quantity} × ${productName(engine, item.price)} after ${formatDate(period.start)}`,
        periodStart: period.start,
        periodEnd: period.end,
        quantity,
        price: item.price,
        unitAmountDecimal: unit,
        subscription: subscription.id,
        subscriptionItem: item.id,
        proration: true,
        metadata: {},
      };
    });
}
