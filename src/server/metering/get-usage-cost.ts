import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planVersions, subscriptions } from "@/db/schema";
import { periodContaining } from "@/server/customers/billing-period";
import { getCustomer } from "@/server/customers/get-customer";
import { DomainError } from "@/server/errors";
import { loadBillingTerms } from "@/server/invoicing/billing-terms";
import { rateUsageGroups } from "@/server/invoicing/rate-usage-groups";
import { readUsageGroups } from "@/server/invoicing/read-usage-groups";

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** Days one cost query may cover (the usage chart's longest span is a billing period plus the one before). */
export const usageCostDaysMax = 100;

export type UsageCostDay = {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** What the day's usage added to the period's usage charge, micro-units (rating the period so far, less the day before). */
  costMicros: bigint;
  /** The same per rating group (`model=opus`, or the meter's name when the price has no dimension). */
  byGroup: Record<string, bigint>;
};

export type UsageCost =
  | { priced: false; reason: string }
  | {
      priced: true;
      currency: string;
      planName: string;
      planVersion: number;
      ratingDimension: string | null;
      allowance: string;
      days: UsageCostDay[];
      totalMicros: bigint;
    };

/**
 * One customer's usage of one meter valued at their own prices, per UTC day: the usage chart's
 * cost view. Each day's cost is what the day added to the billing period's usage charge:
 * rate(usage of the period up to the day's end) − rate(usage up to its start), with the plan's
 * free allowance and tiers applied by the invoice's own rating (`rateUsageGroups`), so a day
 * spent inside the allowance costs nothing and the days of a period sum to what its invoice
 * charges for the meter (before promotions, discounts and credits). Days split where a billing
 * period starts. Rated with the plan version the customer is on now; a plan change inside the
 * range is not re-priced per day. Period edges are taken to the whole hour, as the rollups are.
 */
export async function getUsageCost(db: Db, input: { customerId: string; meterKey: string; from: Date; to: Date }): Promise<UsageCost> {
  const from = new Date(Math.floor(input.from.getTime() / hourMs) * hourMs);
  const to = new Date(Math.ceil(input.to.getTime() / hourMs) * hourMs);
  if (to <= from) throw new DomainError("invalid", "parameter_invalid", "The cost view needs a start before its end.", undefined, { param: "to" });
  if (to.getTime() - from.getTime() > usageCostDaysMax * dayMs) {
    throw new DomainError("invalid", "parameter_invalid", `The cost view covers at most ${usageCostDaysMax} days; choose a shorter period.`, undefined, { param: "from" });
  }
  const customer = await getCustomer(db, input.customerId);
  const [subscription] = await db
    .select({ planVersionId: subscriptions.planVersionId, anchor: subscriptions.billingAnchor, interval: planVersions.billingInterval })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .where(and(eq(subscriptions.customerId, customer.id), ne(subscriptions.status, "canceled")))
    .orderBy(desc(subscriptions.createdAt))
    .limit(1);
  if (!subscription) return { priced: false, reason: "The customer has no live subscription, so there are no prices to value the usage with." };
  const terms = (await loadBillingTerms(db, [subscription.planVersionId])).get(subscription.planVersionId);
  const meter = terms?.meters.find((each) => each.meterKey === input.meterKey);
  if (!terms || !meter) return { priced: false, reason: `The customer's plan (${terms?.planName ?? "unknown"}) does not charge for this meter.` };

  // Segments: the range cut at every UTC midnight and every billing period start inside it.
  const cuts = new Set<number>([from.getTime(), to.getTime()]);
  for (let day = Math.floor(from.getTime() / dayMs) * dayMs + dayMs; day < to.getTime(); day += dayMs) cuts.add(day);
  for (let at = from; at < to; ) {
    const period = periodContaining(subscription.anchor, subscription.interval, at);
    const end = new Date(Math.floor(period.end.getTime() / hourMs) * hourMs);
    if (end > from && end < to) cuts.add(end.getTime());
    at = end > at ? end : new Date(at.getTime() + dayMs);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments = points.slice(1).map((end, index) => {
    const start = points[index]!;
    const periodStart = Math.floor(periodContaining(subscription.anchor, subscription.interval, new Date(start)).start.getTime() / hourMs) * hourMs;
    return { start, end, periodStart };
  });
  // One statement for every prefix of every period: [period start, t) for each segment's start and end.
  const prefixes = [...new Map(segments.flatMap((segment) => [`${segment.periodStart}:${segment.start}`, `${segment.periodStart}:${segment.end}`].map((key) => [key, key]))).keys()];
  const groups = await readUsageGroups(
    db,
    prefixes.map((key) => {
      const [start, end] = key.split(":").map(Number) as [number, number];
      return { subject: customer.externalId, meterId: meter.meterId, meterKey: meter.meterKey, aggregation: meter.aggregation, ratingDimension: meter.ratingDimension, start: new Date(start), end: new Date(Math.max(start, end)) };
    }),
  );
  const none = new Map();
  const ratedPrefix = new Map(
    prefixes.map((key, index) => {
      const rated = rateUsageGroups(meter, groups[index] ?? [], meter.planAllowance, none);
      return [key, new Map(rated.map((group) => [groupLabel(meter.ratingDimension, group.dimensions, meter.meterName), group.amountMicros]))];
    }),
  );
  const days = new Map<string, UsageCostDay>();
  for (const segment of segments) {
    const day = new Date(segment.start).toISOString().slice(0, 10);
    const entry = days.get(day) ?? { day, costMicros: 0n, byGroup: {} };
    const before = ratedPrefix.get(`${segment.periodStart}:${segment.start}`)!;
    const after = ratedPrefix.get(`${segment.periodStart}:${segment.end}`)!;
    for (const label of new Set([...before.keys(), ...after.keys()])) {
      // Every group used in the period so far appears, at zero while inside the allowance.
      const cost = (after.get(label) ?? 0n) - (before.get(label) ?? 0n);
      entry.byGroup[label] = (entry.byGroup[label] ?? 0n) + cost;
      entry.costMicros += cost;
    }
    days.set(day, entry);
  }
  const list = [...days.values()];
  return {
    priced: true,
    currency: terms.currency,
    planName: terms.planName,
    planVersion: terms.version,
    ratingDimension: meter.ratingDimension,
    allowance: meter.planAllowance,
    days: list,
    totalMicros: list.reduce((sum, day) => sum + day.costMicros, 0n),
  };
}

function groupLabel(ratingDimension: string | null, dimensions: Record<string, string>, meterName: string): string {
  if (ratingDimension === null) return meterName;
  return dimensions[ratingDimension] ?? "(none)";
}
