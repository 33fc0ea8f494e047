import type Stripe from "stripe";
import { cloneDeep, type Engine } from "../engine";
import { invalidRequest } from "../errors";
import { buildSubscriptionItem } from "../objects/subscriptions";
import { idOf } from "../objects/invoices";
import { addLine, attachPendingItems, createDraftInvoice, createInvoiceItem, finalizeInvoice, lineFromDraft } from "./invoicing";
import { periodDrafts, prorationDrafts, type ItemChange, type LineDraft } from "./lines";
import { collectInvoice } from "./payments";
import { nextBoundaryAfter } from "./periods";
import { currentPeriod, setPeriod } from "./subscription-status";

export type ProrationBehavior = "create_prorations" | "none" | "always_invoice";

export interface ItemUpdate {
  id: string | null;
  price: Stripe.Price | null;
  quantity: number | null;
  deleted: boolean;
  metadata: Record<string, string> | null;
}

export interface PlannedItems {
  items: Stripe.SubscriptionItem[];
  changes: ItemChange[];
}

/** The subscription's items after `updates`, and what changed per item; nothing is stored. */
export function planItems(engine: Engine, subscription: Stripe.Subscription, updates: ItemUpdate[]): PlannedItems {
  const items = subscription.items.data.map((item) => cloneDeep(item));
  const changes: ItemChange[] = [];
  const period = currentPeriod(subscription);
  const now = engine.nowForCustomer(idOf(subscription.customer));
  updates.forEach((update, index) => {
    const existingIndex = update.id === null ? -1 : items.findIndex((item) => item.id === update.id);
    if (update.id !== null && existingIndex === -1)
      throw invalidRequest(`Subscription item ${update.id} does not belong to subscription ${subscription.id}.`, `items[${index}][id]`);
    const existing = items[existingIndex];
    if (existing !== undefined) {
      const oldQuantity = existing.quantity ?? 1;
      if (update.deleted) {
        items.splice(existingIndex, 1);
        changes.push({ subscriptionItem: existing.id, oldPrice: existing.price, oldQuantity, newPrice: null, newQuantity: 0 });
        return;
      }
      const price = update.price ?? existing.price;
      const quantity = update.quantity ?? (update.price !== null && update.price.id !== existing.price.id ? 1 : oldQuantity);
      const replaced = buildSubscriptionItem({
        id: existing.id,
        created: existing.created,
        subscription: subscription.id,
        price,
        quantity,
        metadata: update.metadata ?? existing.metadata,
        periodStart: period.start,
        periodEnd: period.end,
      });
      items[existingIndex] = replaced;
      changes.push({ subscriptionItem: existing.id, oldPrice: existing.price, oldQuantity, newPrice: price, newQuantity: quantity });
      return;
    }
    if (update.price === null) throw invalidRequest("Missing required param: items[][price].", `items[${index}][price]`, "parameter_missing");
    const added = buildSubscriptionItem({
      id: engine.id("si", 14),
      created: now,
      subscription: subscription.id,
      price: update.price,
      quantity: update.quantity ?? 1,
      metadata: update.metadata ?? {},
      periodStart: period.start,
      periodEnd: period.end,
    });
    items.push(added);
    changes.push({ subscriptionItem: added.id, oldPrice: null, oldQuantity: 0, newPrice: update.price, newQuantity: update.quantity ?? 1 });
  });
  if (items.length === 0) throw invalidRequest("A subscription must have at least one active plan.", "items");
  for (const item of items) {
    const first = items[0]?.price.recurring;
    if (item.price.recurring?.interval !== first?.interval || item.price.recurring?.interval_count !== first?.interval_count)
      throw invalidRequest("Prices in a subscription must all have the same billing interval.", "items");
  }
  return { items, changes };
}

/** Proration lines for a planned change; none during a trial or with proration_behavior=none. */
export function plannedProrations(
  engine: Engine,
  subscription: Stripe.Subscription,
  changes: ItemChange[],
  behavior: ProrationBehavior,
  prorationDate: number,
): LineDraft[] {
  if (behavior === "none" || subscription.status === "trialing" || changes.length === 0) return [];
  return prorationDrafts(engine, subscription, changes, prorationDate, currentPeriod(subscription));
}

/** Applies an item change: prorations become pending invoice items, or an invoice right away with always_invoice. */
export function applyItemChange(
  engine: Engine,
  subscription: Stripe.Subscription,
  updates: ItemUpdate[],
  behavior: ProrationBehavior,
  prorationDate: number,
): void {
  const planned = planItems(engine, subscription, updates);
  const drafts = plannedProrations(engine, subscription, planned.changes, behavior, prorationDate);
  for (const item of subscription.items.data) engine.store.subscriptionOfItem.delete(item.id);
  subscription.items.data = planned.items;
  for (const item of planned.items) engine.store.subscriptionOfItem.set(item.id, subscription.id);
  const customerId = idOf(subscription.customer) ?? "";
  for (const draft of drafts) createInvoiceItem(engine, customerId, draft, null);
  if (behavior === "always_invoice" && drafts.length > 0) invoiceNow(engine, subscription, prorationDate);
}

/**
 * `billing_cycle_anchor=now`: the period restarts now and is invoiced at once, with the new items in
 * full, a credit for the unused time of the old items (unless proration_behavior=none) and metered
 * usage so far.
 */
export function resetBillingCycle(
  engine: Engine,
  subscription: Stripe.Subscription,
  updates: ItemUpdate[],
  behavior: ProrationBehavior,
  now: number,
): void {
  const period = currentPeriod(subscription);
  const unused = subscription.items.data.map((item) => ({
    subscriptionItem: item.id,
    oldPrice: item.price,
    oldQuantity: item.quantity ?? 1,
    newPrice: null,
    newQuantity: 0,
  }));
  const credits = behavior === "none" ? [] : prorationDrafts(engine, subscription, unused, now, period);
  if (updates.length > 0) applyItemChange(engine, subscription, updates, "none", now);
  const customerId = idOf(subscription.customer) ?? "";
  for (const draft of credits) createInvoiceItem(engine, customerId, draft, null);
  const recurring = subscription.items.data[0]?.price.recurring;
  if (recurring === null || recurring === undefined) throw invalidRequest("Subscription has no recurring items.", "billing_cycle_anchor");
  const end = nextBoundaryAfter(now, recurring.interval, recurring.interval_count, now);
  subscription.billing_cycle_anchor = now;
  setPeriod(subscription, now, end);
  const drafts = periodDrafts(engine, subscription, { start: now, end }, { start: period.start, end: now }, { period: false, usage: false });
  invoiceNow(engine, subscription, now, drafts);
}

function invoiceNow(engine: Engine, subscription: Stripe.Subscription, at: number, drafts: LineDraft[] = []): void {
  const customer = engine.store.require("customer", idOf(subscription.customer) ?? "");
  const invoice = createDraftInvoice(engine, {
    customer,
    subscription,
    billingReason: "subscription_update",
    periodStart: at,
    periodEnd: at,
    autoAdvance: true,
    collectionMethod: subscription.collection_method,
    daysUntilDue: subscription.days_until_due,
    description: null,
    metadata: {},
    defaultPaymentMethod: null,
    currency: subscription.currency,
  });
  invoice.automatically_finalizes_at = null;
  for (const draft of drafts) addLine(invoice, lineFromDraft(engine, draft, invoice.id, null));
  attachPendingItems(engine, invoice, subscription.id);
  subscription.latest_invoice = invoice.id;
  engine.emit("invoice.created", invoice);
  finalizeInvoice(engine, invoice);
  if (invoice.status === "open" && invoice.collection_method === "charge_automatically") collectInvoice(engine, invoice, { automatic: true });
}
