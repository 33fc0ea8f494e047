import Decimal from "decimal.js";
import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { unitAmountOf } from "../objects/catalog";
import { extendedAmount, prorate } from "../money";
import { formatAmount, formatDate } from "./periods";
import { aggregateUsage } from "./usage";

/** One future invoice line before it is stored: what renewals, prorations and previews compute. */
export interface LineDraft {
  amount: number;
  description: string;
  periodStart: number;
  periodEnd: number;
  quantity: number;
  price: Stripe.Price | null;
  unitAmountDecimal: string | null;
  subscription: string | null;
  subscriptionItem: string | null;
  proration: boolean;
  metadata: Record<string, string>;
}

export function productName(engine: Engine, price: Stripe.Price): string {
  const productId = typeof price.product === "string" ? price.product : price.product.id;
  return engine.store.get("product", productId)?.name ?? productId;
}

/** Lines for a subscription's period: licensed items in advance, metered usage of the previous period in arrears. */
export function periodDrafts(
  engine: Engine,
  subscription: Stripe.Subscription,
  period: { start: number; end: number },
  usagePeriod: { start: number; end: number } | null,
  free: { period: boolean; usage: boolean },
): LineDraft[] {
  const drafts: LineDraft[] = [];
  const customerId = subscription.customer as string;
  for (const item of subscription.items.data) {
    const price = item.price;
    const unit = unitAmountOf(price);
    const name = productName(engine, price);
    const interval = price.recurring?.interval ?? "month";
    const base = { price, unitAmountDecimal: unit, subscription: subscription.id, subscriptionItem: item.id, proration: false, metadata: {} };
    if (price.recurring?.usage_type === "metered") {
      if (usagePeriod === null) continue;
      const meter = price.recurring.meter === null ? undefined : engine.store.get("billing.meter", price.recurring.meter);
      const usage = meter === undefined ? "0" : aggregateUsage(engine, meter, customerId, usagePeriod.start, usagePeriod.end);
      const clamped = new Decimal(usage).isNegative() ? "0" : usage;
      drafts.push({
        ...base,
        amount: free.usage ? 0 : extendedAmount(unit, clamped),
        description: `${clamped} × ${name} (at ${formatUnit(unit, price.currency)} / ${interval})`,
        periodStart: usagePeriod.start,
        periodEnd: usagePeriod.end,
        quantity: new Decimal(clamped).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
      });
      continue;
    }
    const quantity = item.quantity ?? 1;
    drafts.push({
      ...base,
      amount: free.period ? 0 : extendedAmount(unit, String(quantity)),
      description: free.period
        ? `Trial period for ${name}`
        : `${quantity} × ${name} (at ${formatUnit(unit, price.currency)} / ${interval})`,
      periodStart: period.start,
      periodEnd: period.end,
      quantity,
    });
  }
  return drafts;
}

export interface ItemChange {
  subscriptionItem: string;
  oldPrice: Stripe.Price | null;
  oldQuantity: number;
  newPrice: Stripe.Price | null;
  newQuantity: number;
}

/**
 * Stripe's prorations for a change at `prorationDate` inside [period.start, period.end): a credit for
 * the unused time on the old price and a debit for the remaining time on the new one, each
 * unit × quantity × remaining / period seconds, rounded half away from zero.
 */
export function prorationDrafts(
  engine: Engine,
  subscription: Stripe.Subscription,
  changes: ItemChange[],
  prorationDate: number,
  period: { start: number; end: number },
): LineDraft[] {
  if (prorationDate < period.start || prorationDate > period.end)
    throw invalidRequest("The proration_date must be within the current billing period.", "proration_date");
  const remainingSeconds = period.end - prorationDate;
  const periodSeconds = period.end - period.start;
  const drafts: LineDraft[] = [];
  const after = formatDate(prorationDate);
  for (const change of changes) {
    const unchanged = change.oldPrice?.id === change.newPrice?.id && change.oldQuantity === change.newQuantity;
    if (unchanged || remainingSeconds === 0) continue;
    for (const side of ["old", "new"] as const) {
      const price = side === "old" ? change.oldPrice : change.newPrice;
      const quantity = side === "old" ? change.oldQuantity : change.newQuantity;
      if (price === null || price.recurring?.usage_type === "metered" || quantity === 0) continue;
      const unit = unitAmountOf(price);
      const amount = prorate({ unitAmountDecimal: unit, quantity, remainingSeconds, periodSeconds });
      const label = `${quantity} × ${productName(engine, price)}`;
      drafts.push({
        amount: side === "old" ? -amount : amount,
        description: side === "old" ? `Unused time on ${label} after ${after}` : `Remaining time on ${label} after ${after}`,
        periodStart: prorationDate,
        periodEnd: period.end,
        quantity,
        price,
        unitAmountDecimal: unit,
        subscription: subscription.id,
        subscriptionItem: change.subscriptionItem,
        proration: true,
        metadata: {},
      });
    }
  }
  return drafts;
}

function formatUnit(unitAmountDecimal: string, currency: string): string {
  return /^\d+$/.test(unitAmountDecimal) ? formatAmount(Number(unitAmountDecimal), currency) : `${unitAmountDecimal}¢`;
}
