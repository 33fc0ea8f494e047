import { and, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { planVersions, subscriptions, type MeterAggregation } from "@/db/schema";
import { periodContaining } from "@/server/customers/billing-period";
import { loadBillingTerms, type BilledMeter } from "@/server/invoicing/billing-terms";
import { readUsageGroups } from "@/server/invoicing/read-usage-groups";
import type { AnomalyCandidate } from "./candidate";
import type { UsageFinding } from "./detectors/usage";
import { describeQuantity, describeRatio } from "./describe";
import { rateImpactMicros, quantityString, type GroupQuantity } from "./rate-impact";
import { hourMs } from "./robust";
import type { AnomalySettings } from "./settings";
import { findUnknownSubjectCandidates, readSubjectRejections, UnknownSubjectsCache } from "./read-drop-evidence";

export type MeterInfo = { id: string; key: string; name: string; unit: string; eventType: string; aggregation: MeterAggregation; groupBy: string[] };

type Pricing = { meter: BilledMeter; allowance: string; periodStart: Date; currency: string; planVersionId: string } | null;

const sourceSampleMax = 20_000;
const breakdownRowsMax = 200;

/**
 * Turns the usage detector's findings into anomaly candidates: the money at stake at the
 * customer's own prices, what contributed most (dimension values and event sources for a spike;
 * rejected events and events arriving under an unknown subject for a drop), a title naming the
 * cause. Bounded work per finding (index ranges of rollups, a sample of events), and findings are
 * few. Spikes below the money (or, when free, event) threshold are not anomalies.
 */
export async function enrichUsageFindings(db: Db, findings: readonly UsageFinding[], context: { settings: AnomalySettings; asOf: Date; meters: ReadonlyMap<string, MeterInfo> }): Promise<AnomalyCandidate[]> {
  const pricing = await loadPricing(db, findings);
  const unknownSubjects = new UnknownSubjectsCache(db);
  const candidates: AnomalyCandidate[] = [];
  for (const finding of findings) {
    const meter = context.meters.get(finding.meterKey);
    if (!meter) continue;
    const price = pricing.get(`${finding.customerId}:${finding.meterKey}`) ?? null;
    const candidate = finding.kind === "usage_spike" ? await spikeCandidate(db, finding, meter, price, context) : await dropCandidate(db, finding, meter, price, { ...context, unknownSubjects });
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

async function spikeCandidate(db: Db, finding: UsageFinding, meter: MeterInfo, price: Pricing, context: { settings: AnomalySettings; asOf: Date }): Promise<AnomalyCandidate | null> {
  const breakdown = await dimensionBreakdown(db, finding, meter);
  const excess = Math.max(finding.observed - finding.expected, 0);
  const excessEvents = Math.max(finding.observedEvents - finding.expectedEvents, 0);
  const impact = price ? await impactOf(db, finding, meter, price, breakdownDelta(breakdown, price.meter.ratingDimension, excess, "excess")) : null;
  const material = impact !== null && impact > 0n ? impact >= context.settings.micros["usage.spike_min_impact_micros"] : excessEvents >= context.settings["usage.spike_min_excess_events"];
  if (!material) return null;
  const sources = await sourceBreakdown(db, finding, meter);
  const top = breakdown.find((row) => Object.keys(row.dimensions).length > 0 && row.excess > 0);
  const topText = top ? `, mostly ${Object.entries(top.dimensions).map(([key, value]) => `${key} ${value ?? "(none)"}`).join(", ")}` : "";
  const days = finding.days.length;
  return {
    kind: "usage_spike",
    customerId: finding.customerId,
    subject: `meter:${finding.meterKey}`,
    windowStart: finding.windowStart,
    windowEnd: finding.windowEnd,
    title: `${meter.name} ${describeRatio(finding.ratio)} the expected usage${days > 1 ? ` for ${days} days` : ""} (${describeQuantity(finding.observed)} vs ${describeQuantity(finding.expected)} ${meter.unit})${topText}`,
    observed: quantityString(finding.observed),
    expected: quantityString(finding.expected),
    impactMicros: impact,
    currency: price?.currency ?? "usd",
    evidence: {
      meter: { key: meter.key, name: meter.name, unit: meter.unit, eventType: meter.eventType },
      ratio: finite(finding.ratio),
      excess: quantityString(excess),
      observedEvents: Math.round(finding.observedEvents),
      expectedEvents: Math.round(finding.expectedEvents),
      days: finding.days,
      baseline: finding.baseline,
      dimensions: breakdown.slice(0, 10),
      sources,
      pricing: price ? { planVersionId: price.planVersionId, ratingDimension: price.meter.ratingDimension, allowance: price.allowance, periodStart: price.periodStart.toISOString() } : null,
    },
  };
}

async function dropCandidate(db: Db, finding: UsageFinding, meter: MeterInfo, price: Pricing, context: { settings: AnomalySettings; asOf: Date; unknownSubjects: UnknownSubjectsCache }): Promise<AnomalyCandidate> {
  const missing = Math.max(finding.expected - finding.observed, 0);
  const [rejections, unknownSubjects] = await Promise.all([
    readSubjectRejections(db, finding.subject, new Date(finding.windowStart.getTime() - hourMs), context.asOf),
    findUnknownSubjectCandidates(db, { meterId: meter.id, externalId: finding.subject, since: finding.windowStart, expectedEvents: finding.expectedEvents, asOf: context.asOf }, context.unknownSubjects),
  ]);
  const impact = price ? await impactOf(db, finding, meter, price, [{ value: null, quantity: quantityString(missing) }]) : null;
  const rejected = rejections.reduce((sum, row) => sum + row.count, 0);
  const likely = unknownSubjects.find((candidate) => candidate.likely);
  const stopped = finding.observed === 0 || finding.stop !== null;
  const since = finding.stop?.lastActiveAt ?? finding.windowStart;
  const cause = likely
    ? `; events now arrive under unknown subject "${likely.subject}" (${likely.events.toLocaleString("en-US")} since ${since.toISOString().slice(11, 16)} UTC)`
    : rejected > 0
      ? `; ${rejected.toLocaleString("en-US")} of its events were rejected (${rejections.map((row) => row.code).join(", ")})`
      : "";
  const what = stopped ? `${meter.name} stopped ${describeSince(since, context.asOf)}` : `${meter.name} fell to ${describeRatio(finding.ratio)} the expected usage`;
  return {
    kind: "usage_drop",
    customerId: finding.customerId,
    subject: `meter:${finding.meterKey}`,
    windowStart: finding.windowStart,
    windowEnd: finding.windowEnd,
    title: `${what} (expected ${describeQuantity(finding.expected)} ${meter.unit}, got ${describeQuantity(finding.observed)})${cause}`,
    observed: quantityString(finding.observed),
    expected: quantityString(finding.expected),
    impactMicros: impact,
    currency: price?.currency ?? "usd",
    severityFloor: likely || rejected > 0 || stopped ? "high" : "medium",
    evidence: {
      meter: { key: meter.key, name: meter.name, unit: meter.unit, eventType: meter.eventType },
      ratio: finite(finding.ratio),
      missing: quantityString(missing),
      observedEvents: Math.round(finding.observedEvents),
      expectedEvents: Math.round(finding.expectedEvents),
      ongoing: finding.ongoing,
      days: finding.days,
      stop: finding.stop ? { ...finding.stop, lastActiveAt: finding.stop.lastActiveAt?.toISOString() ?? null } : null,
      baseline: finding.baseline,
      rejections,
      rejectedEvents: rejected,
      unknownSubjects,
      externalId: finding.subject,
      pricing: price ? { planVersionId: price.planVersionId, ratingDimension: price.meter.ratingDimension, allowance: price.allowance, periodStart: price.periodStart.toISOString() } : null,
    },
  };
}

function describeSince(since: Date, asOf: Date): string {
  const hours = Math.max(0, Math.round((asOf.getTime() - since.getTime()) / hourMs));
  return hours >= 48 ? `${Math.round(hours / 24)} days ago (${since.toISOString().slice(0, 16).replace("T", " ")} UTC)` : `${hours} h ago (${since.toISOString().slice(0, 16).replace("T", " ")} UTC)`;
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null;
}

async function loadPricing(db: Db, findings: readonly UsageFinding[]): Promise<Map<string, Pricing>> {
  const result = new Map<string, Pricing>();
  const customerIds = [...new Set(findings.map((finding) => finding.customerId))];
  if (customerIds.length === 0) return result;
  const live = await db
    .select({ customerId: subscriptions.customerId, planVersionId: subscriptions.planVersionId, anchor: subscriptions.billingAnchor, interval: planVersions.billingInterval, currency: planVersions.currency })
    .from(subscriptions)
    .innerJoin(planVersions, sql`${planVersions.id} = ${subscriptions.planVersionId}`)
    .where(and(inArray(subscriptions.customerId, customerIds), ne(subscriptions.status, "canceled")));
  const terms = await loadBillingTerms(db, live.map((row) => row.planVersionId));
  for (const finding of findings) {
    const subscription = live.find((row) => row.customerId === finding.customerId);
    const meter = subscription ? terms.get(subscription.planVersionId)?.meters.find((each) => each.meterKey === finding.meterKey) : undefined;
    if (!subscription || !meter) continue;
    const period = periodContaining(subscription.anchor, subscription.interval, finding.windowStart);
    result.set(`${finding.customerId}:${finding.meterKey}`, { meter, allowance: meter.planAllowance, periodStart: period.start, currency: subscription.currency, planVersionId: subscription.planVersionId });
  }
  return result;
}

/** The period's usage before the window (per rating group), then the price of adding `delta` to it. */
async function impactOf(db: Db, finding: UsageFinding, meter: MeterInfo, pricing: NonNullable<Pricing>, delta: GroupQuantity[]): Promise<bigint> {
  const start = new Date(Math.floor(pricing.periodStart.getTime() / hourMs) * hourMs);
  const end = new Date(Math.floor(finding.windowStart.getTime() / hourMs) * hourMs);
  const before = end > start ? ((await readUsageGroups(db, [{ subject: finding.subject, meterId: meter.id, aggregation: meter.aggregation, ratingDimension: pricing.meter.ratingDimension, start, end }]))[0] ?? []) : [];
  return rateImpactMicros(pricing.meter, pricing.allowance, before.map((group) => ({ value: group.value, quantity: group.quantity })), delta);
}

export type DimensionContribution = { dimensions: Record<string, string | null>; observed: number; expected: number; excess: number };

function quantityExpression(aggregation: MeterAggregation) {
  if (aggregation === "sum") return sql`coalesce(sum(r.sum_value), 0)::float8`;
  if (aggregation === "max") return sql`coalesce(max(r.max_value), 0)::float8`;
  if (aggregation === "latest") return sql`coalesce((array_agg(r.latest_value order by r.latest_at desc nulls last))[1], 0)::float8`;
  return sql`sum(r.events)::float8`;
}

/**
 * Usage by dimension values in the window against the same window of the previous four weeks
 * (averaged), sorted by what each value adds: "mostly model opus".
 */
async function dimensionBreakdown(db: Db, finding: UsageFinding, meter: MeterInfo): Promise<DimensionContribution[]> {
  const windows = [0, 1, 2, 3, 4].map((weeks) => ({ weeks, start: new Date(finding.windowStart.getTime() - weeks * 7 * 24 * hourMs), end: new Date(finding.windowEnd.getTime() - weeks * 7 * 24 * hourMs) }));
  const rows = await executeRows<{ weeks: number; dimensions: Record<string, string | null> | string; quantity: number }>(
    db,
    sql`select w.weeks, r.dimensions, ${quantityExpression(meter.aggregation)} as quantity
        from unnest(${`{${windows.map((window) => window.weeks).join(",")}}`}::int[], ${`{${windows.map((window) => `"${window.start.toISOString()}"`).join(",")}}`}::timestamptz[],
                    ${`{${windows.map((window) => `"${window.end.toISOString()}"`).join(",")}}`}::timestamptz[]) as w(weeks, start_at, end_at)
        join usage_rollups r on r.meter_id = ${meter.id} and r.subject = ${finding.subject} and r.window_start >= w.start_at and r.window_start < w.end_at
        group by w.weeks, r.dimensions
        limit ${breakdownRowsMax * 5}`,
  );
  const byKey = new Map<string, DimensionContribution & { weeksSeen: Set<number> }>();
  const pastWeeks = new Set(rows.filter((row) => row.weeks > 0).map((row) => row.weeks)).size || 1;
  for (const row of rows) {
    const dimensions = (typeof row.dimensions === "string" ? JSON.parse(row.dimensions) : row.dimensions) as Record<string, string | null>;
    const key = JSON.stringify(dimensions);
    const entry = byKey.get(key) ?? { dimensions, observed: 0, expected: 0, excess: 0, weeksSeen: new Set<number>() };
    if (row.weeks === 0) entry.observed += Number(row.quantity);
    else entry.expected += Number(row.quantity) / pastWeeks;
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map(({ weeksSeen: _weeks, ...entry }) => ({ ...entry, excess: entry.observed - entry.expected }))
    .sort((a, b) => Math.abs(b.excess) - Math.abs(a.excess))
    .slice(0, breakdownRowsMax);
}

/** Splits the excess over the price's rating groups by each group's share of the excess. */
function breakdownDelta(breakdown: DimensionContribution[], ratingDimension: string | null, total: number, _what: "excess"): GroupQuantity[] {
  if (ratingDimension === null) return [{ value: null, quantity: quantityString(total) }];
  const byValue = new Map<string | null, number>();
  for (const row of breakdown) {
    if (row.excess <= 0) continue;
    const value = row.dimensions[ratingDimension] ?? null;
    byValue.set(value, (byValue.get(value) ?? 0) + row.excess);
  }
  const positive = [...byValue.values()].reduce((sum, value) => sum + value, 0);
  if (positive <= 0) return [{ value: null, quantity: quantityString(total) }];
  return [...byValue.entries()].map(([value, excess]) => ({ value, quantity: quantityString((total * excess) / positive) }));
}

export type SourceContribution = { source: string; observedShare: number; baselineShare: number; excessEvents: number };

/**
 * Event sources in the window against the same window a week earlier, from bounded samples of the
 * raw events (the subject + time index): which service sent the excess.
 */
async function sourceBreakdown(db: Db, finding: UsageFinding, meter: MeterInfo): Promise<{ sampled: number; sources: SourceContribution[] }> {
  const sample = async (start: Date, end: Date) =>
    executeRows<{ source: string; events: string | number }>(
      db,
      sql`select source, count(*) as events from (
            select source from usage_events where subject = ${finding.subject} and occurred_at >= ${start.toISOString()}::timestamptz
              and occurred_at < ${end.toISOString()}::timestamptz and type = ${meter.eventType} limit ${sourceSampleMax}
          ) s group by source order by 2 desc limit 20`,
    );
  const weekMs = 7 * 24 * hourMs;
  const [now, before] = await Promise.all([sample(finding.windowStart, finding.windowEnd), sample(new Date(finding.windowStart.getTime() - weekMs), new Date(finding.windowEnd.getTime() - weekMs))]);
  const shares = (rows: { source: string; events: string | number }[]) => {
    const total = rows.reduce((sum, row) => sum + Number(row.events), 0);
    return { total, share: new Map(rows.map((row) => [row.source, total > 0 ? Number(row.events) / total : 0])) };
  };
  const observed = shares(now);
  const baseline = shares(before);
  const names = new Set([...observed.share.keys(), ...baseline.share.keys()]);
  const sources = [...names]
    .map((source) => {
      const observedShare = observed.share.get(source) ?? 0;
      const baselineShare = baseline.share.get(source) ?? 0;
      return { source, observedShare, baselineShare, excessEvents: Math.round(observedShare * finding.observedEvents - baselineShare * finding.expectedEvents) };
    })
    .sort((a, b) => b.excessEvents - a.excessEvents)
    .slice(0, 10);
  return { sampled: observed.total, sources };
}
