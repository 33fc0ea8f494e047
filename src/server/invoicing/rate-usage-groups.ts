import { Decimal } from "@/server/pricing/decimal";
import { rate, rateIncrement, type RateLine } from "@/server/pricing/rate";
import type { BilledMeter } from "./billing-terms";
import type { UsageGroup } from "./read-usage-groups";

/** What an earlier invoice of the same period already billed for one group. */
export type BilledGroup = { usageQuantity: string; billableQuantity: string };

export type RatedUsageGroup = {
  /** `billed_usage.group_key`: '' for a whole meter, `=<value>` per value, `~` when events lacked the dimension. */
  groupKey: string;
  dimensions: Record<string, string>;
  usageQuantity: string;
  allowanceQuantity: string;
  billableQuantity: string;
  previousBillableQuantity: string;
  /** rate(billable) − rate(previously billed): exact split billing (may be negative if late data moved the allowance). */
  amountMicros: bigint;
  /** Rating of the whole billable quantity, for billed_usage. */
  totalAmountMicros: bigint;
  /** The pricing engine's lines for this increment (tier breakdown). */
  tiers: RateLine[];
};

export function groupKeyOf(ratingDimension: string | null, value: string | null): string {
  if (ratingDimension === null) return "";
  return value === null ? "~" : `=${value}`;
}

/**
 * Rates one meter's usage groups for one period against what was already billed for it.
 *
 * Allowance: the period's free quantity (plan allowance the price does not include, plus
 * promotion allowances) is taken from the meter's groups in order of first use (earliest rollup
 * hour first, ties by dimension value). With that order a group's billable quantity never goes
 * down as usage grows, so a threshold invoice followed by the period-end invoice bills exactly
 * what one invoice for the whole period would.
 *
 * Each group is billed `rate(billable now) − rate(billable billed before)`, which telescopes: the
 * sum over all invoices of a period is the rating of its final quantity, tiers continuing from
 * what was billed (the pricing engine's `rateIncrement`).
 */
export function rateUsageGroups(
  meter: BilledMeter,
  groups: readonly UsageGroup[],
  allowance: string,
  billed: ReadonlyMap<string, BilledGroup>,
): RatedUsageGroup[] {
  let remaining = new Decimal(allowance);
  const seen = new Set<string>();
  const rated: RatedUsageGroup[] = [];
  const ordered = groups.map((group) => ({ key: groupKeyOf(meter.ratingDimension, group.value), value: group.value, quantity: new Decimal(group.quantity) }));
  for (const key of billed.keys()) {
    // A group billed before but without usage now (a `latest` meter moving) still gets its difference.
    if (!ordered.some((group) => group.key === key)) ordered.push({ key, value: valueOfKey(key), quantity: new Decimal(0) });
  }
  for (const group of ordered) {
    if (seen.has(group.key)) throw new Error(`invoicing: group ${group.key} of ${meter.meterKey} twice`);
    seen.add(group.key);
    const allowanceQuantity = Decimal.min(remaining, Decimal.max(group.quantity, 0));
    remaining = remaining.minus(allowanceQuantity);
    const billable = Decimal.max(group.quantity.minus(allowanceQuantity), 0);
    const previous = new Decimal(billed.get(group.key)?.billableQuantity ?? "0");
    const dimensions: Record<string, string> = meter.ratingDimension !== null && group.value !== null ? { [meter.ratingDimension]: group.value } : {};
    const increment = rateDifference(meter, previous, billable, dimensions);
    rated.push({
      groupKey: group.key,
      dimensions,
      usageQuantity: group.quantity.toFixed(),
      allowanceQuantity: allowanceQuantity.toFixed(),
      billableQuantity: billable.toFixed(),
      previousBillableQuantity: previous.toFixed(),
      amountMicros: increment.amountMicros,
      totalAmountMicros: rate(meter.price, billable.toFixed(), dimensions).amountMicros,
      tiers: increment.lines,
    });
  }
  return rated;
}

function valueOfKey(key: string): string | null {
  return key.startsWith("=") ? key.slice(1) : null;
}

function rateDifference(meter: BilledMeter, previous: Decimal, now: Decimal, dimensions: Record<string, string>) {
  if (now.greaterThanOrEqualTo(previous)) {
    return rateIncrement(meter.price, previous.toFixed(), now.minus(previous).toFixed(), dimensions);
  }
  const back = rateIncrement(meter.price, now.toFixed(), previous.minus(now).toFixed(), dimensions);
  return {
    amountMicros: -back.amountMicros,
    lines: back.lines.map((line) => ({
      ...line,
      quantity: new Decimal(line.quantity).negated().toFixed(),
      flatAmountMicros: -line.flatAmountMicros,
      amountExactMicros: new Decimal(line.amountExactMicros).negated().toFixed(),
      amountMicros: -line.amountMicros,
    })),
  };
}
