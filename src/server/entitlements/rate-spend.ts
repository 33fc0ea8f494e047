import type { UsagePrice } from "@/db/schema";
import { Decimal, decimalToString } from "@/server/pricing/decimal";
import type { Price } from "@/server/pricing/price-schema";
import { rateIncrement } from "@/server/pricing/rate";
import { ratePeriod, type UsageQuantity } from "@/server/pricing/rate-period";
import type { MeterUsage } from "./read-period-usage";

/** Dimension values the pricing engine can group by (a missing group-by property is null in rollups). */
function presentDimensions(dimensions: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(dimensions).filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * The period's usage-based charges so far under the plan's usage prices (the pricing engine's
 * ratePeriod); null when a priced meter's usage cannot be rated (MeterUsage.problem).
 */
export function rateUsageMicros(usagePrices: readonly UsagePrice[], usage: ReadonlyMap<string, MeterUsage>): bigint | null {
  if (usagePrices.length === 0) return 0n;
  const rows: UsageQuantity[] = [];
  for (const { meterKey } of usagePrices) {
    if (usage.get(meterKey)?.problem) return null;
    for (const group of usage.get(meterKey)?.groups ?? []) {
      rows.push({ meterKey, dimensions: presentDimensions(group.dimensions), quantity: group.quantity });
    }
  }
  return ratePeriod({ prices: usagePrices, usage: rows }).amountMicros;
}

/**
 * The most `quantity` more units of this meter can cost on top of the period's usage. The
 * dimension values of usage not yet sent are unknown (which model?), so every group the price
 * distinguishes is tried — each existing one, each overridden value, and a new value at the
 * default price — and the dearest is held: a spend-limit hold may be too large, never too small.
 */
export function marginalCostMicros(price: Price, usage: MeterUsage | undefined, quantity: string): bigint {
  if (usage?.problem) return 0n;
  const dimension = price.dimensionOverrides?.dimension;
  const candidates = new Map<string, { dimensions: Record<string, string>; quantity: Decimal }>();
  const add = (key: string, dimensions: Record<string, string>, amount: Decimal) => {
    const existing = candidates.get(key);
    candidates.set(key, { dimensions, quantity: (existing?.quantity ?? new Decimal(0)).plus(amount) });
  };
  add(dimension === undefined ? "" : "\u0000new", {}, new Decimal(0));
  for (const group of usage?.groups ?? []) {
    const value = dimension === undefined ? undefined : group.dimensions[dimension];
    if (dimension === undefined) add("", {}, new Decimal(group.quantity));
    else if (value === undefined || value === null) add("\u0000missing", {}, new Decimal(group.quantity));
    else add(`=${value}`, { [dimension]: value }, new Decimal(group.quantity));
  }
  for (const override of price.dimensionOverrides?.prices ?? []) {
    if (dimension !== undefined) add(`=${override.value}`, { [dimension]: override.value }, new Decimal(0));
  }
  let dearest = 0n;
  for (const candidate of candidates.values()) {
    const cost = rateIncrement(price, decimalToString(candidate.quantity), quantity, candidate.dimensions).amountMicros;
    if (cost > dearest) dearest = cost;
  }
  return dearest;
}
