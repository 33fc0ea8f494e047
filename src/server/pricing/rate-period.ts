import { Decimal, decimalToString, parseQuantity } from "./decimal";
import type { Price } from "./price-schema";
import { rate, type RateLine, type RateResult } from "./rate";

/** Bounds: a period's usage is already rolled up per meter and dimension values. */
export const ratePeriodLimits = { pricesMax: 200, usageRowsMax: 100_000 } as const;

export type MeterPrice = { meterKey: string; price: Price };

/** A period's rolled-up usage for one meter and one combination of group-by values. */
export type UsageQuantity = { meterKey: string; dimensions: Record<string, string>; quantity: string };

export type RatePeriodInput = { prices: readonly MeterPrice[]; usage: readonly UsageQuantity[] };

/** Usage rated together under one price: one value of the override dimension, or the whole meter. */
export type RatedGroup = {
  /** `{ model: "gpt-4o" }` when the price has overrides on `model`; `{}` when the whole meter is one group. */
  dimensions: Record<string, string>;
  priceSource: RateResult["priceSource"];
  quantity: string;
  /** The usage rows summed into this group, for the invoice's detail. */
  usage: { dimensions: Record<string, string>; quantity: string }[];
  amountMicros: bigint;
  lines: RateLine[];
};

export type RatedMeter = { meterKey: string; quantity: string; amountMicros: bigint; groups: RatedGroup[] };

export type RatePeriodResult = {
  meters: RatedMeter[];
  /** Meters that had usage but no price in this plan (tracked, not billed). */
  unpricedMeterKeys: string[];
  amountMicros: bigint;
};

/**
 * Rates one period's usage under a plan version's usage prices.
 *
 * Grouping: usage rows of a meter are summed per value of the price's override dimension
 * (every value is its own group, whether it has an override or falls to the default), or
 * into one group for the whole meter when the price has no overrides. Each group is rated
 * once, so tiers and included quantity apply to the group's total — e.g. per model —
 * and other dimensions (region, ...) do not restart the tiers.
 */
export function ratePeriod(input: RatePeriodInput): RatePeriodResult {
  if (input.prices.length > ratePeriodLimits.pricesMax) throw new RangeError(`At most ${ratePeriodLimits.pricesMax} prices.`);
  if (input.usage.length > ratePeriodLimits.usageRowsMax) {
    throw new RangeError(`At most ${ratePeriodLimits.usageRowsMax} usage rows; roll usage up first.`);
  }
  const pricesByMeter = new Map<string, Price>();
  for (const { meterKey, price } of input.prices) {
    if (pricesByMeter.has(meterKey)) throw new RangeError(`Meter ${meterKey} has two prices.`);
    pricesByMeter.set(meterKey, price);
  }
  const unpriced = new Set<string>();
  const usageByMeter = new Map<string, UsageQuantity[]>();
  for (const row of input.usage) {
    if (!pricesByMeter.has(row.meterKey)) {
      unpriced.add(row.meterKey);
      continue;
    }
    const rows = usageByMeter.get(row.meterKey) ?? [];
    rows.push(row);
    usageByMeter.set(row.meterKey, rows);
  }
  const meters = [...pricesByMeter].map(([meterKey, price]) => rateMeter(meterKey, price, usageByMeter.get(meterKey) ?? []));
  return {
    meters,
    unpricedMeterKeys: [...unpriced].sort(),
    amountMicros: meters.reduce((sum, meter) => sum + meter.amountMicros, 0n),
  };
}

function rateMeter(meterKey: string, price: Price, rows: readonly UsageQuantity[]): RatedMeter {
  const dimension = price.dimensionOverrides?.dimension;
  const groups = new Map<string, { dimensions: Record<string, string>; quantity: Decimal; usage: RatedGroup["usage"] }>();
  let meterQuantity = new Decimal(0);
  for (const row of rows) {
    const quantity = parseQuantity(row.quantity, `usage quantity of ${meterKey}`);
    meterQuantity = meterQuantity.plus(quantity);
    const value = dimension === undefined ? undefined : row.dimensions[dimension];
    // A row without the override dimension is its own default-priced group, keyed apart from any real value.
    const key = dimension === undefined ? "" : value === undefined ? "\u0000missing" : `=${value}`;
    const group = groups.get(key) ?? {
      dimensions: dimension !== undefined && value !== undefined ? { [dimension]: value } : {},
      quantity: new Decimal(0),
      usage: [],
    };
    group.quantity = group.quantity.plus(quantity);
    group.usage.push({ dimensions: { ...row.dimensions }, quantity: decimalToString(quantity) });
    groups.set(key, group);
  }
  const rated = [...groups.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([, group]): RatedGroup => {
      const result = rate(price, decimalToString(group.quantity), group.dimensions);
      return {
        dimensions: group.dimensions,
        priceSource: result.priceSource,
        quantity: result.quantity,
        usage: group.usage,
        amountMicros: result.amountMicros,
        lines: result.lines,
      };
    });
  return {
    meterKey,
    quantity: decimalToString(meterQuantity),
    amountMicros: rated.reduce((sum, group) => sum + group.amountMicros, 0n),
    groups: rated,
  };
}
