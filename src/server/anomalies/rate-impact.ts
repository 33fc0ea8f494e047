import type { BilledMeter } from "@/server/invoicing/billing-terms";
import { Decimal } from "@/server/pricing/decimal";
import { rate } from "@/server/pricing/rate";

export type GroupQuantity = { value: string | null; quantity: string };

/**
 * What `delta` more usage costs a customer, at their own prices, on top of what they used earlier
 * in the period: Σ over the price's rating groups of rate(billable with delta) − rate(billable
 * without), billable = usage − the period's free allowance (taken by groups in order, as the
 * invoice does). Tiers and free units therefore count: a spike inside the allowance costs nothing,
 * one on a cheaper tier costs less. Exact micro-units (the pricing engine); quantities are the
 * detector's estimates rounded to 6 decimals.
 */
export function rateImpactMicros(meter: Pick<BilledMeter, "price" | "ratingDimension">, allowance: string, before: readonly GroupQuantity[], delta: readonly GroupQuantity[]): bigint {
  const values = [...new Set([...before.map((group) => group.value), ...delta.map((group) => group.value)])];
  const usedBefore = new Map(before.map((group) => [group.value, new Decimal(group.quantity)]));
  const added = new Map<string | null, Decimal>();
  for (const group of delta) added.set(group.value, (added.get(group.value) ?? new Decimal(0)).plus(new Decimal(clean(group.quantity))));
  // The allowance goes first to what was used before (in group order), then to the added usage.
  let remaining = new Decimal(allowance);
  const freeBefore = new Map<string | null, Decimal>();
  for (const value of values) {
    const free = Decimal.min(remaining, Decimal.max(usedBefore.get(value) ?? new Decimal(0), 0));
    freeBefore.set(value, free);
    remaining = remaining.minus(free);
  }
  let impact = 0n;
  for (const value of values) {
    const previous = Decimal.max(usedBefore.get(value) ?? new Decimal(0), 0);
    const extra = added.get(value) ?? new Decimal(0);
    const extraFree = Decimal.min(remaining, extra);
    remaining = remaining.minus(extraFree);
    const billableBefore = previous.minus(freeBefore.get(value)!);
    const billableAfter = billableBefore.plus(extra).minus(extraFree);
    const dimensions: Record<string, string> = meter.ratingDimension !== null && value !== null ? { [meter.ratingDimension]: value } : {};
    impact += rate(meter.price, billableAfter.toFixed(), dimensions).amountMicros - rate(meter.price, billableBefore.toFixed(), dimensions).amountMicros;
  }
  return impact;
}

/** A float estimate as a non-negative decimal string with at most 6 decimals. */
function clean(quantity: string): string {
  const value = new Decimal(quantity);
  return value.isNegative() ? "0" : value.toDecimalPlaces(6).toFixed();
}

export function quantityString(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return "0";
  return new Decimal(value.toFixed(6)).toFixed();
}
