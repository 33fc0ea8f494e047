import type Stripe from "stripe";
import type { Engine } from "../engine";
import { StripeApiError, invalidRequest } from "../errors";
import { buildInvoice, idOf } from "../objects/invoices";
import type { Params } from "../params";
import { lineFromDraft, refreshTotals } from "../billing/invoicing";
import { periodDrafts, type LineDraft } from "../billing/lines";
import { nextBoundaryAfter } from "../billing/periods";
import { currentPeriod } from "../billing/subscription-status";
import { planItems, plannedProrations, type ItemUpdate, type ProrationBehavior } from "../billing/subscription-update";

/**
 * `invoices.createPreview`: the invoice Stripe would issue next, nothing stored. With
 * `subscription_details[items]` it includes the prorations of that change (to the second, at
 * `proration_date`); with `always_invoice` it is the immediate proration invoice.
 */
export function previewInvoice(engine: Engine, params: Params): Stripe.Invoice {
  const subscriptionId = params.string("subscription");
  const subscription = subscriptionId === undefined ? null : engine.store.require("subscription", subscriptionId, "subscription");
  const customerId = params.string("customer") ?? (subscription === null ? null : idOf(subscription.customer));
  if (customerId === null) throw invalidRequest("Missing required param: customer.", "customer", "parameter_missing");
  const customer = engine.store.require("customer", customerId, "customer");
  const now = engine.nowForCustomer(customer.id);
  const pending = pendingDrafts(engine, customer.id, subscription?.id ?? null);
  if (subscription === null) {
    if (pending.length === 0)
      throw new StripeApiError(404, { type: "invalid_request_error", code: "invoice_upcoming_none", message: `No upcoming invoices for customer: ${customer.id}` });
    return assemble(engine, customer, null, pending, { start: now, end: now }, "manual");
  }
  if (subscription.status === "canceled") throw invalidRequest("The subscription is canceled and has no upcoming invoice.", "subscription");
  const details = params.object("subscription_details");
  const behavior: ProrationBehavior = details?.oneOf("proration_behavior", ["create_prorations", "none", "always_invoice"] as const) ?? "create_prorations";
  const prorationDate = details?.integer("proration_date", { min: 0 }) ?? now;
  const updates: ItemUpdate[] = (details?.objectArray("items", 20) ?? []).map((item) => {
    const priceId = item.string("price");
    return {
      id: item.string("id") ?? null,
      price: priceId === undefined ? null : engine.store.require("price", priceId, item.name("price")),
      quantity: item.integer("quantity", { min: 0 }) ?? null,
      deleted: item.boolean("deleted") ?? false,
      metadata: null,
    };
  });
  const planned = updates.length === 0 ? { items: subscription.items.data, changes: [] } : planItems(engine, subscription, updates);
  const prorations = plannedProrations(engine, subscription, planned.changes, behavior, prorationDate);
  if (behavior === "always_invoice" && prorations.length > 0)
    return assemble(engine, customer, subscription, [...pending, ...prorations], { start: prorationDate, end: prorationDate }, "subscription_update");
  const period = currentPeriod(subscription);
  const recurring = planned.items[0]?.price.recurring;
  if (recurring === null || recurring === undefined) throw invalidRequest("The subscription has no recurring items.");
  const nextEnd = nextBoundaryAfter(subscription.billing_cycle_anchor, recurring.interval, recurring.interval_count, period.end);
  const future = { ...subscription, items: { ...subscription.items, data: planned.items } };
  const renewal = periodDrafts(engine, future, { start: period.end, end: nextEnd }, { start: period.start, end: period.end }, {
    period: false,
    usage: subscription.status === "trialing",
  });
  return assemble(engine, customer, subscription, [...pending, ...prorations, ...renewal], period, "subscription_cycle", period.end);
}

function pendingDrafts(engine: Engine, customerId: string, subscriptionId: string | null): LineDraft[] {
  return engine.store
    .all("invoiceitem")
    .filter((item) => {
      if (item.invoice !== null || idOf(item.customer) !== customerId) return false;
      const owner = item.parent?.subscription_details?.subscription ?? null;
      return owner === null || owner === subscriptionId;
    })
    .map((item) => {
      const priceId = item.pricing?.price_details?.price;
      return {
        amount: item.amount,
        description: item.description ?? "",
        periodStart: item.period.start,
        periodEnd: item.period.end,
        quantity: item.quantity,
        price: typeof priceId === "string" ? (engine.store.get("price", priceId) ?? null) : null,
        unitAmountDecimal: item.pricing?.unit_amount_decimal?.toString() ?? null,
        subscription: item.parent?.subscription_details?.subscription ?? null,
        subscriptionItem: item.parent?.subscription_details?.subscription_item ?? null,
        proration: item.proration,
        metadata: item.metadata ?? {},
      };
    });
}

function assemble(
  engine: Engine,
  customer: Stripe.Customer,
  subscription: Stripe.Subscription | null,
  drafts: LineDraft[],
  period: { start: number; end: number },
  billingReason: Stripe.Invoice.BillingReason,
  createdAt?: number,
): Stripe.Invoice {
  const invoice = buildInvoice({
    id: engine.id("upcoming_in"),
    created: createdAt ?? engine.nowForCustomer(customer.id),
    customer,
    subscription: subscription?.id ?? null,
    billingReason,
    currency: subscription?.currency ?? drafts[0]?.price?.currency ?? "usd",
    collectionMethod: subscription?.collection_method ?? "charge_automatically",
    autoAdvance: true,
    periodStart: period.start,
    periodEnd: period.end,
    description: null,
    metadata: {},
    daysUntilDue: null,
    defaultPaymentMethod: null,
    hostedBaseUrl: engine.baseUrl,
  });
  invoice.lines.data = drafts.map((draft) => lineFromDraft(engine, draft, null, null));
  invoice.lines.url = "/v1/invoices/upcoming/lines";
  invoice.status = "draft";
  invoice.starting_balance = customer.balance;
  refreshTotals(invoice);
  const combined = invoice.total + customer.balance;
  invoice.amount_due = Math.max(combined, 0);
  invoice.amount_remaining = invoice.amount_due;
  invoice.ending_balance = combined >= 0 ? 0 : combined;
  return invoice;
}
