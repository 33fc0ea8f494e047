import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { createSubscription, type NewSubscriptionItem } from "../billing/subscription-create";
import { applyItemChange, resetBillingCycle, type ItemUpdate, type ProrationBehavior } from "../billing/subscription-update";
import { cancelSubscriptionNow, currentPeriod, setPeriod } from "../billing/subscription-status";
import { renewSubscription } from "../billing/renewals";
import { nextBoundaryAfter } from "../billing/periods";

const prorationBehaviors = ["create_prorations", "none", "always_invoice"] as const;

function readItems(engine: Engine, params: Params): NewSubscriptionItem[] {
  return params.objectArray("items", 20).map((item) => ({
    price: engine.store.require("price", item.requiredString("price"), item.name("price")),
    quantity: item.integer("quantity", { min: 0 }) ?? 1,
    metadata: item.applyMetadata({}),
  }));
}

function create(engine: Engine, params: Params): Stripe.Subscription {
  const customer = engine.store.require("customer", params.requiredString("customer"), "customer");
  const now = engine.nowForCustomer(customer.id);
  const items = readItems(engine, params);
  const trialEndParam = params.timestamp("trial_end", { allowNow: true });
  const trialDays = params.integer("trial_period_days", { min: 0, max: 730 }) ?? (params.boolean("trial_from_plan") ? (items[0]?.price.recurring?.trial_period_days ?? null) : null);
  let trialEnd: number | null = null;
  if (trialEndParam !== undefined && trialEndParam !== "now") {
    if (trialEndParam <= now) throw invalidRequest("Invalid timestamp: must be an integer Unix timestamp in the future.", "trial_end");
    trialEnd = trialEndParam;
  } else if (trialDays !== null && trialDays > 0) {
    trialEnd = now + trialDays * 86_400;
  }
  const anchor = params.integer("billing_cycle_anchor", { min: 0 }) ?? null;
  if (anchor !== null && anchor < now) throw invalidRequest("billing_cycle_anchor cannot be in the past.", "billing_cycle_anchor");
  const defaultPaymentMethod = params.string("default_payment_method") ?? null;
  if (defaultPaymentMethod !== null) {
    const paymentMethod = engine.store.require("payment_method", defaultPaymentMethod, "default_payment_method");
    if (idOf(paymentMethod.customer) !== customer.id)
      throw invalidRequest(`The customer does not have a payment method with the ID ${defaultPaymentMethod}.`, "default_payment_method");
  }
  return createSubscription(engine, {
    customer,
    items,
    trialEnd,
    billingCycleAnchor: anchor,
    cancelAtPeriodEnd: params.boolean("cancel_at_period_end") ?? false,
    cancelAt: params.integer("cancel_at", { min: 0 }) ?? null,
    defaultPaymentMethod,
    collectionMethod: params.oneOf("collection_method", ["charge_automatically", "send_invoice"] as const) ?? "charge_automatically",
    daysUntilDue: params.integer("days_until_due", { min: 0 }) ?? null,
    description: params.string("description") ?? null,
    metadata: params.applyMetadata({}),
    paymentBehavior:
      params.oneOf("payment_behavior", ["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] as const) ?? "allow_incomplete",
    prorationBehavior: params.oneOf("proration_behavior", prorationBehaviors) ?? "create_prorations",
    missingPaymentMethod:
      params.object("trial_settings")?.object("end_behavior")?.oneOf("missing_payment_method", ["cancel", "create_invoice", "pause"] as const) ?? "create_invoice",
  });
}

function readItemUpdates(engine: Engine, params: Params, subscription: Stripe.Subscription): ItemUpdate[] {
  const updates: ItemUpdate[] = params.objectArray("items", 20).map((item) => {
    const priceId = item.string("price");
    return {
      id: item.string("id") ?? null,
      price: priceId === undefined ? null : engine.store.require("price", priceId, item.name("price")),
      quantity: item.integer("quantity", { min: 0 }) ?? null,
      deleted: item.boolean("deleted") ?? false,
      metadata: item.has("metadata") ? item.applyMetadata({}) : null,
    };
  });
  const quantity = params.integer("quantity", { min: 0 });
  if (quantity !== undefined) {
    const only = subscription.items.data[0];
    if (subscription.items.data.length !== 1 || only === undefined)
      throw invalidRequest("Use items[][quantity] for subscriptions with several items.", "quantity");
    updates.push({ id: only.id, price: null, quantity, deleted: false, metadata: null });
  }
  return updates;
}

function update(engine: Engine, subscription: Stripe.Subscription, params: Params): Stripe.Subscription {
  if (subscription.status === "canceled" || subscription.status === "incomplete_expired")
    throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`, undefined);
  const now = engine.nowForCustomer(idOf(subscription.customer));
  const behavior: ProrationBehavior = params.oneOf("proration_behavior", prorationBehaviors) ?? "create_prorations";
  const prorationDate = params.integer("proration_date", { min: 0 }) ?? now;
  // The current API sends `billing_cycle_anchor[type]`; older versions a plain `billing_cycle_anchor`.
  const anchorValue = params.raw("billing_cycle_anchor");
  const anchorChoices = ["now", "unchanged"] as const;
  const anchor =
    anchorValue !== undefined && typeof anchorValue === "object" && !Array.isArray(anchorValue)
      ? params.object("billing_cycle_anchor")?.oneOf("type", anchorChoices)
      : params.oneOf("billing_cycle_anchor", anchorChoices);
  const resetAnchor = anchor === "now";
  if (resetAnchor && subscription.status === "trialing")
    throw invalidRequest("The emulator does not reset the billing cycle of a trialing subscription; end the trial with trial_end=now.", "billing_cycle_anchor");
  const updates = readItemUpdates(engine, params, subscription);
  const trialEnd = params.timestamp("trial_end", { allowNow: true });
  engine.track(subscription, "customer.subscription.updated", () => {
    if (resetAnchor) resetBillingCycle(engine, subscription, updates, behavior, now);
    else if (updates.length > 0) applyItemChange(engine, subscription, updates, behavior, prorationDate);
    const cancelAtPeriodEnd = params.boolean("cancel_at_period_end");
    if (cancelAtPeriodEnd !== undefined) {
      subscription.cancel_at_period_end = cancelAtPeriodEnd;
      subscription.cancel_at = cancelAtPeriodEnd ? currentPeriod(subscription).end : null;
      subscription.canceled_at = cancelAtPeriodEnd ? now : null;
    }
    if (params.has("cancel_at")) {
      const cancelAt = params.nullableString("cancel_at");
      subscription.cancel_at = cancelAt === null || cancelAt === undefined ? null : params.requiredInteger("cancel_at", { min: now });
      subscription.cancel_at_period_end = false;
    }
    const defaultPaymentMethod = params.nullableString("default_payment_method");
    if (defaultPaymentMethod !== undefined) {
      if (defaultPaymentMethod !== null) engine.store.require("payment_method", defaultPaymentMethod, "default_payment_method");
      subscription.default_payment_method = defaultPaymentMethod;
    }
    const description = params.nullableString("description");
    if (description !== undefined) subscription.description = description;
    subscription.metadata = params.applyMetadata(subscription.metadata);
    if (trialEnd !== undefined && subscription.status === "trialing") {
      const end = trialEnd === "now" ? now : trialEnd;
      subscription.trial_end = end;
      const period = currentPeriod(subscription);
      subscription.billing_cycle_anchor = end;
      setPeriod(subscription, period.start, end);
    }
  });
  if (subscription.status === "trialing" && subscription.trial_end !== null && subscription.trial_end <= now) renewSubscription(engine, subscription);
  return subscription;
}

function cancel(engine: Engine, subscription: Stripe.Subscription, params: Params): Stripe.Subscription {
  if (subscription.status === "canceled") throw invalidRequest(`No such subscription: '${subscription.id}'`, "id", "resource_missing");
  cancelSubscriptionNow(engine, subscription, {
    reason: "cancellation_requested",
    prorate: params.boolean("prorate") ?? false,
    invoiceNow: params.boolean("invoice_now") ?? false,
  });
  return subscription;
}

function resume(engine: Engine, subscription: Stripe.Subscription): Stripe.Subscription {
  if (subscription.status !== "paused") throw invalidRequest("Only paused subscriptions can be resumed.", undefined, "subscription_not_paused");
  const now = engine.nowForCustomer(idOf(subscription.customer));
  const recurring = subscription.items.data[0]?.price.recurring;
  if (recurring === null || recurring === undefined) throw invalidRequest("Subscription has no recurring items.");
  engine.track(subscription, "customer.subscription.resumed", () => {
    subscription.status = "active";
    subscription.billing_cycle_anchor = now;
    setPeriod(subscription, now - 1, now);
  });
  renewSubscription(engine, subscription);
  setPeriod(subscription, now, nextBoundaryAfter(now, recurring.interval, recurring.interval_count, now));
  return subscription;
}

export const subscriptionRoutes: Route[] = [
  route("POST", "/v1/subscriptions", ({ engine, params }) => create(engine, params)),
  route("GET", "/v1/subscriptions/:id", (request) => request.engine.store.require("subscription", pathParam(request, "id"))),
  route("POST", "/v1/subscriptions/:id", (request) =>
    update(request.engine, request.engine.store.require("subscription", pathParam(request, "id")), request.params),
  ),
  route("DELETE", "/v1/subscriptions/:id", (request) =>
    cancel(request.engine, request.engine.store.require("subscription", pathParam(request, "id")), request.params),
  ),
  route("POST", "/v1/subscriptions/:id/resume", (request) =>
    resume(request.engine, request.engine.store.require("subscription", pathParam(request, "id"))),
  ),
  route("GET", "/v1/subscriptions", ({ engine, params }) => {
    const customer = params.string("customer");
    const price = params.string("price");
    const status = params.string("status");
    const testClock = params.string("test_clock");
    const created = createdFilter(params);
    const items = engine.store.all("subscription").filter((subscription) => {
      if (customer !== undefined && subscription.customer !== customer) return false;
      if (testClock !== undefined && subscription.test_clock !== testClock) return false;
      if (price !== undefined && !subscription.items.data.some((item) => item.price.id === price)) return false;
      if (status === undefined) return subscription.status !== "canceled" && subscription.status !== "incomplete_expired";
      if (status !== "all" && subscription.status !== status) return false;
      return created(subscription.created);
    });
    return paginate(items, params, "/v1/subscriptions");
  }),
  route("GET", "/v1/subscription_items", ({ engine, params }) => {
    const subscription = engine.store.require("subscription", params.requiredString("subscription"), "subscription");
    return paginate([...subscription.items.data].reverse(), params, `/v1/subscription_items?subscription=${subscription.id}`);
  }),
  route("GET", "/v1/subscription_items/:id", (request) => {
    const id = pathParam(request, "id");
    const subscriptionId = request.engine.store.subscriptionOfItem.get(id);
    const item = subscriptionId === undefined ? undefined : request.engine.store.get("subscription", subscriptionId)?.items.data.find((candidate) => candidate.id === id);
    if (item === undefined) throw invalidRequest(`No such subscription_item: '${id}'`, "id", "resource_missing");
    return item;
  }),
];
