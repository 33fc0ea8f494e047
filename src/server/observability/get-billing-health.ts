import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { ReconciliationDiscrepancy } from "@/db/schema";
import { lagPercentiles } from "@/server/metering/get-ingestion-stats";
import { readDatabaseGauges } from "./database-gauges";
import { healthThresholds, levelOf, worstLevel, type HealthLevel, type Threshold } from "./health-thresholds";
import { listJobHealth, type JobHealth } from "./job-runs";

export const healthRanges = ["hour", "day"] as const;
export type HealthRange = (typeof healthRanges)[number];
const rangeShape: Record<HealthRange, { minutes: number; bucketMinutes: number }> = { hour: { minutes: 60, bucketMinutes: 1 }, day: { minutes: 1440, bucketMinutes: 15 } };

export type HealthPoint = { at: string } & Record<string, number | null | string>;
export type HealthChart = {
  id: string;
  title: string;
  /** What the current value is, in words with its unit. */
  current: string;
  level: HealthLevel;
  /** Why amber or red, in words (empty when ok). */
  reason: string;
  series: { key: string; label: string }[];
  points: HealthPoint[];
  unit: string;
};
export type InvoiceAccuracyRow = { month: string; invoices: number; exactFirstAttempt: number; exactAfterCorrection: number; never: number; notCompared: number; correctedMicros: bigint };
export type BillingHealth = {
  range: HealthRange;
  bucketMinutes: number;
  from: Date;
  to: Date;
  level: HealthLevel;
  /** Every amber or red chart's reason: the answer to "is billing healthy right now?". */
  problems: { chart: string; level: HealthLevel; reason: string }[];
  charts: HealthChart[];
  jobs: (JobHealth & { level: HealthLevel })[];
  invoiceAccuracy: InvoiceAccuracyRow[];
  openDiscrepancies: Pick<ReconciliationDiscrepancy, "id" | "kind" | "description" | "difference" | "unit" | "currency" | "amountMicros" | "invoiceId" | "customerId" | "firstSeenAt" | "lastSeenAt" | "objects">[];
  openDiscrepancyCount: number;
  /** Items a billing job could not process (job_item_failures), newest first, with their `job_failure` anomaly. */
  itemFailures: { job: string; itemKey: string; code: string; message: string; attempts: number; firstFailedAt: Date; lastFailedAt: Date; anomalyId: string | null; customerId: string | null }[];
  itemFailureCount: number;
};

const count = new Intl.NumberFormat("en-US");
const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 2 : 1)}%`;

/** The daily jobs whose last run must have succeeded (a failure is red). */
export const dailyJobNames = ["ledger:verify", "reconcile", "grants:expire", "metering:prune-keys", "anomalies:detect-daily"];

/**
 * Everything the Billing health page shows for the last hour (per minute) or day (per 15
 * minutes), read in bounded queries: the per-minute ingestion counters and lag histogram, at most
 * one `health_samples` row a minute, the database gauges now, each job's last runs, invoice
 * accuracy of the last six months and the 20 newest open discrepancies.
 */
export async function getBillingHealth(db: Db, options: { range: HealthRange; now: Date; jobNames: readonly string[] }): Promise<BillingHealth> {
  const shape = rangeShape[options.range];
  const bucketMs = shape.bucketMinutes * 60_000;
  const to = new Date(Math.ceil(options.now.getTime() / 60_000) * 60_000);
  const from = new Date(to.getTime() - shape.minutes * 60_000);
  const buckets: number[] = [];
  for (let at = Math.floor(from.getTime() / bucketMs) * bucketMs; at < to.getTime(); at += bucketMs) buckets.push(at);
  const bucketOf = (date: Date | string) => Math.floor(new Date(date).getTime() / bucketMs) * bucketMs;
  const fromIso = from.toISOString();

  const ingest = await executeRows<{ minute: string | Date; accepted: string; unknown: string; rejected: string }>(
    db,
    sql`select minute, sum(accepted)::text as accepted, sum(unknown_customer)::text as unknown,
               coalesce(sum((select sum(value::bigint) from jsonb_each_text(rejected))), 0)::text as rejected
        from metering_ingest_counters where minute >= ${fromIso}::timestamptz group by minute`,
  );
  const rejectedByCode = await executeRows<{ code: string; count: string }>(
    db,
    sql`select key as code, sum(value::bigint)::text as count from metering_ingest_counters, jsonb_each_text(rejected)
        where minute >= ${fromIso}::timestamptz group by key order by 2 desc limit 8`,
  );
  const lag = await executeRows<{ minute: string | Date; bucket: number; count: string }>(
    db,
    sql`select minute, bucket, sum(count)::text as count from metering_lag_histogram where minute >= ${fromIso}::timestamptz group by minute, bucket`,
  );
  const samples = await executeRows<{ minute: string | Date; counters: Record<string, number | string>; gauges: Record<string, number> }>(
    db,
    sql`select minute, counters, gauges from health_samples where minute >= ${fromIso}::timestamptz order by minute limit 1440`,
  );
  const gaugesNow = await readDatabaseGauges(db, { jobNames: options.jobNames });

  type Acc = { accepted: number; unknown: number; rejected: number; lag: Map<number, number>; counters: Map<string, number>; gauges: Map<string, number> };
  const perBucket = new Map<number, Acc>(buckets.map((at) => [at, { accepted: 0, unknown: 0, rejected: 0, lag: new Map(), counters: new Map(), gauges: new Map() }]));
  const accOf = (date: Date | string) => perBucket.get(bucketOf(date));
  for (const row of ingest) {
    const acc = accOf(row.minute);
    if (!acc) continue;
    acc.accepted += Number(row.accepted);
    acc.unknown += Number(row.unknown);
    acc.rejected += Number(row.rejected);
  }
  const lagAll = new Map<number, number>();
  for (const row of lag) {
    const acc = accOf(row.minute);
    acc?.lag.set(Number(row.bucket), (acc.lag.get(Number(row.bucket)) ?? 0) + Number(row.count));
    lagAll.set(Number(row.bucket), (lagAll.get(Number(row.bucket)) ?? 0) + Number(row.count));
  }
  for (const row of samples) {
    const acc = accOf(row.minute);
    if (!acc) continue;
    for (const [key, value] of Object.entries(row.counters)) acc.counters.set(key, (acc.counters.get(key) ?? 0) + Number(value));
    for (const [key, value] of Object.entries(row.gauges)) acc.gauges.set(key, Math.max(acc.gauges.get(key) ?? 0, Number(value)));
  }
  const sortedLag = (map: Map<number, number>) => [...map].sort(([a], [b]) => a - b).map(([bucket, n]) => ({ bucket, count: n }));
  const checkP99Ms = (counters: Map<string, number>): number | null => {
    const bounds = [...counters].filter(([key]) => key.startsWith("check_le.")).map(([key, value]) => [key.slice(9) === "+Inf" ? Infinity : Number(key.slice(9)), value] as const).sort(([a], [b]) => a - b);
    const total = bounds.at(-1)?.[1] ?? 0;
    if (total === 0) return null;
    const found = bounds.find(([, cumulative]) => cumulative >= total * 0.99);
    return found && Number.isFinite(found[0]) ? found[0] * 1000 : null;
  };
  const totals = { accepted: 0, unknown: 0, rejected: 0, counters: new Map<string, number>() };
  for (const acc of perBucket.values()) {
    totals.accepted += acc.accepted;
    totals.unknown += acc.unknown;
    totals.rejected += acc.rejected;
    for (const [key, value] of acc.counters) totals.counters.set(key, (totals.counters.get(key) ?? 0) + value);
  }
  const points = (pick: (acc: Acc) => Record<string, number | null>): HealthPoint[] => buckets.map((at) => ({ at: new Date(at).toISOString(), ...pick(perBucket.get(at)!) }));
  const counter = (acc: { counters: Map<string, number> }, key: string) => acc.counters.get(key) ?? 0;
  const gauge = (acc: Acc, key: string): number | null => (acc.gauges.has(key) ? acc.gauges.get(key)! : null);
  const judge = (id: string, title: string, value: number | null, threshold: Threshold, current: string, what: string) => {
    const level = levelOf(value, threshold);
    return { level, reason: level === "ok" ? "" : `${what} is ${current} (${level} at ${threshold.direction === "below" ? "below" : "≥"} ${level === "red" ? threshold.red : threshold.amber}${threshold.unit === "share" ? "" : ` ${threshold.unit}`})`, id, title };
  };

  const charts: HealthChart[] = [];
  const push = (chart: Omit<HealthChart, "level" | "reason">, verdict: { level: HealthLevel; reason: string }) => charts.push({ ...chart, level: verdict.level, reason: verdict.reason });

  const received = totals.accepted + totals.rejected;
  const rejectedShare = received === 0 ? 0 : totals.rejected / received;
  push(
    { id: "ingestion", title: "Ingestion by result", unit: "events", current: `${count.format(totals.accepted)} accepted, ${count.format(totals.rejected)} rejected (${percent(rejectedShare)})`, series: [{ key: "accepted", label: "Accepted" }, { key: "rejected", label: "Rejected" }], points: points((acc) => ({ accepted: acc.accepted, rejected: acc.rejected })) },
    judge("ingestion", "Ingestion", rejectedShare, healthThresholds.ingestRejectedShare, percent(rejectedShare), "The share of events rejected"),
  );
  push(
    { id: "rejects", title: `Rejected by code${rejectedByCode.length > 0 ? `: ${rejectedByCode.map((row) => `${row.code} ${count.format(Number(row.count))}`).join(", ")}` : ""}`, unit: "events", current: `${count.format(totals.unknown)} events from unknown subjects`, series: [{ key: "unknown", label: "Unknown subjects" }], points: points((acc) => ({ unknown: acc.unknown })) },
    judge("rejects", "Unknown subjects", totals.unknown, healthThresholds.unknownSubjectEvents, count.format(totals.unknown), "Events from unknown subjects"),
  );
  const lagNow = lagPercentiles(sortedLag(lagAll));
  const lagP99Seconds = lagNow.p99Ms === null ? null : lagNow.p99Ms / 1000;
  push(
    {
      id: "lag",
      title: "Metering lag (arrival → rollups)",
      unit: "s",
      current: lagNow.p99Ms === null ? "no events rolled up" : `p50 ${(lagNow.p50Ms! / 1000).toFixed(2)} s, p99 ${(lagNow.p99Ms / 1000).toFixed(2)} s`,
      series: [{ key: "p50", label: "p50 (s)" }, { key: "p99", label: "p99 (s)" }],
      points: points((acc) => {
        const percentiles = lagPercentiles(sortedLag(acc.lag));
        return { p50: percentiles.p50Ms === null ? null : percentiles.p50Ms / 1000, p99: percentiles.p99Ms === null ? null : percentiles.p99Ms / 1000 };
      }),
    },
    judge("lag", "Metering lag", lagP99Seconds, healthThresholds.meteringLagP99Seconds, `${lagP99Seconds?.toFixed(1)} s`, "Metering lag p99"),
  );
  push(
    { id: "backlog", title: "Rollup backlog", unit: "events", current: `${count.format(gaugesNow.rollupBacklogEvents)} events waiting${gaugesNow.rollupBacklogEvents > 0 ? `, oldest ${gaugesNow.rollupOldestPendingAgeSeconds.toFixed(0)} s` : ""}`, series: [{ key: "backlog", label: "Events not rolled up" }], points: points((acc) => ({ backlog: gauge(acc, "rollup.backlog") })) },
    judge("backlog", "Rollup backlog", gaugesNow.rollupBacklogEvents, healthThresholds.rollupBacklogEvents, count.format(gaugesNow.rollupBacklogEvents), "The rollup backlog"),
  );
  const checkP99 = checkP99Ms(totals.counters);
  const checks = counter(totals, "checks.allowed") + counter(totals, "checks.warned") + counter(totals, "checks.refused");
  const refusedShare = checks === 0 ? 0 : counter(totals, "checks.refused") / checks;
  push(
    { id: "checks", title: "Entitlement checks", unit: "checks", current: checks === 0 ? "no checks" : `${count.format(checks)} checks, ${percent(refusedShare)} refused, p99 ${checkP99 === null ? "—" : `≤ ${checkP99} ms`}`, series: [{ key: "allowed", label: "Allowed" }, { key: "warned", label: "Past allowance" }, { key: "refused", label: "Refused" }], points: points((acc) => ({ allowed: counter(acc, "checks.allowed"), warned: counter(acc, "checks.warned"), refused: counter(acc, "checks.refused") })) },
    worstOf(judge("checks", "", checkP99, healthThresholds.entitlementCheckP99Ms, `≤ ${checkP99} ms`, "Entitlement check p99"), judge("checks", "", refusedShare, healthThresholds.entitlementRefusedShare, percent(refusedShare), "The share of checks refused")),
  );
  push(
    { id: "check-latency", title: "Entitlement check latency p99", unit: "ms", current: checkP99 === null ? "no checks" : `≤ ${checkP99} ms`, series: [{ key: "p99", label: "p99 (ms)" }], points: points((acc) => ({ p99: checkP99Ms(acc.counters) })) },
    judge("check-latency", "", checkP99, healthThresholds.entitlementCheckP99Ms, `≤ ${checkP99} ms`, "Entitlement check p99"),
  );
  const inbox = gaugesNow.webhookInboxByStatus;
  const depth = inbox.pending + inbox.failed + inbox.parked;
  push(
    { id: "webhooks", title: "Stripe webhook inbox", unit: "events", current: `${count.format(depth)} waiting (${inbox.parked} parked), oldest ${gaugesNow.webhookOldestPendingAgeSeconds.toFixed(0)} s, ${count.format(counter(totals, "webhooks.failed"))} failures`, series: [{ key: "depth", label: "Waiting" }, { key: "failures", label: "Failures" }], points: points((acc) => ({ depth: acc.gauges.has("webhooks.pending") ? (gauge(acc, "webhooks.pending") ?? 0) + (gauge(acc, "webhooks.failed_waiting") ?? 0) + (gauge(acc, "webhooks.parked") ?? 0) : null, failures: counter(acc, "webhooks.failed") })) },
    worstOf(
      judge("webhooks", "", gaugesNow.webhookOldestPendingAgeSeconds, healthThresholds.webhookOldestPendingSeconds, `${gaugesNow.webhookOldestPendingAgeSeconds.toFixed(0)} s`, "The oldest pending webhook"),
      judge("webhooks", "", depth, healthThresholds.webhookInboxDepth, count.format(depth), "The webhook inbox"),
      judge("webhooks", "", counter(totals, "webhooks.failed"), healthThresholds.webhookFailures, count.format(counter(totals, "webhooks.failed")), "Webhook processing failures"),
    ),
  );
  push(
    { id: "stripe-api", title: "Stripe API errors and retries", unit: "calls", current: `${count.format(counter(totals, "stripe.errors"))} errors (${count.format(counter(totals, "stripe.rate_limited"))} rate limited), ${count.format(counter(totals, "stripe.retries"))} retries of ${count.format(counter(totals, "stripe.requests"))} calls`, series: [{ key: "errors", label: "Errors" }, { key: "retries", label: "Retries" }], points: points((acc) => ({ errors: counter(acc, "stripe.errors"), retries: counter(acc, "stripe.retries") })) },
    worstOf(judge("stripe-api", "", counter(totals, "stripe.errors"), healthThresholds.stripeApiErrors, count.format(counter(totals, "stripe.errors")), "Stripe API errors"), judge("stripe-api", "", counter(totals, "stripe.retries"), healthThresholds.stripeApiRetries, count.format(counter(totals, "stripe.retries")), "Stripe API retries")),
  );
  const openByKind = gaugesNow.openDiscrepanciesByKind;
  const openCount = Object.values(openByKind).reduce((sum, open) => sum + open.count, 0);
  const kinds = [...new Set([...Object.keys(openByKind), ...samples.flatMap((row) => Object.keys(row.gauges).filter((key) => key.startsWith("discrepancies.")).map((key) => key.slice(14)))])].sort();
  push(
    { id: "discrepancies", title: "Open discrepancies by kind", unit: "discrepancies", current: openCount === 0 ? "none open" : `${openCount} open: ${Object.entries(openByKind).map(([kind, open]) => `${kind} ${open.count}`).join(", ")}`, series: kinds.map((kind) => ({ key: kind, label: kind })), points: points((acc) => Object.fromEntries(kinds.map((kind) => [kind, gauge(acc, `discrepancies.${kind}`)]))) },
    judge("discrepancies", "", openCount, healthThresholds.openDiscrepancies, String(openCount), "Open reconciliation discrepancies"),
  );

  const jobHealth = await listJobHealth(db, { jobs: options.jobNames, since: new Date(options.now.getTime() - 86_400_000) });
  const jobs = jobHealth.map((job) => ({ ...job, level: dailyJobNames.includes(job.job) && job.lastStatus === "failed" ? ("red" as const) : job.lastStatus === "failed" ? ("amber" as const) : ("ok" as const) }));
  const failedDaily = jobs.filter((job) => job.level === "red");

  const accuracyRows = await executeRows<{ month: Date | string; invoices: number; exact_first_attempt: number; exact_after_correction: number; never: number; not_compared: number; corrected_micros: string }>(
    db,
    sql`select month, invoices, exact_first_attempt, exact_after_correction, never, not_compared, corrected_micros::text from invoice_accuracy order by month desc limit 6`,
  );
  const invoiceAccuracy = accuracyRows.reverse().map((row) => ({ month: new Date(row.month).toISOString().slice(0, 7), invoices: row.invoices, exactFirstAttempt: row.exact_first_attempt, exactAfterCorrection: row.exact_after_correction, never: row.never, notCompared: row.not_compared, correctedMicros: BigInt(row.corrected_micros) }));
  const latest = invoiceAccuracy.at(-1);
  const compared = latest ? latest.exactFirstAttempt + latest.exactAfterCorrection + latest.never : 0;
  const accuracyShare = latest && compared > 0 ? latest.exactFirstAttempt / compared : null;
  push(
    { id: "accuracy", title: "Invoice accuracy by period (first attempt)", unit: "share", current: accuracyShare === null ? "no invoice compared with Stripe yet" : `${percent(accuracyShare)} exact on the first attempt in ${latest!.month}`, series: [{ key: "share", label: "Exact on first attempt" }], points: invoiceAccuracy.map((row) => { const n = row.exactFirstAttempt + row.exactAfterCorrection + row.never; return { at: `${row.month}-01T00:00:00.000Z`, share: n === 0 ? null : row.exactFirstAttempt / n }; }) },
    judge("accuracy", "", accuracyShare, healthThresholds.invoiceAccuracyFirstAttempt, accuracyShare === null ? "—" : percent(accuracyShare), "Invoice accuracy"),
  );

  const openList = await executeRows<{ id: string; kind: string; description: string; difference: string; unit: string; currency: string | null; amount_micros: string; invoice_id: string | null; customer_id: string | null; first_seen_at: Date | string; last_seen_at: Date | string; objects: Record<string, string> }>(
    db,
    sql`select id, kind, description, difference::text, unit, currency, amount_micros::text, invoice_id, customer_id, first_seen_at, last_seen_at, objects
        from reconciliation_discrepancies where status = 'open' order by amount_micros desc, first_seen_at desc limit 20`,
  );
  const itemFailureRows = await executeRows<{ job: string; item_key: string; code: string; message: string; attempts: number; first_failed_at: Date | string; last_failed_at: Date | string; anomaly_id: string | null; customer_id: string | null; total: number }>(
    db,
    sql`select f.job, f.item_key, f.code, f.message, f.attempts, f.first_failed_at, f.last_failed_at, a.id::text as anomaly_id, a.customer_id::text as customer_id,
               count(*) over ()::int as total
        from job_item_failures f
        left join anomalies a on a.kind = 'job_failure' and a.subject = 'job:' || f.job || ':' || f.item_key and a.status in ('open', 'acknowledged')
        where f.resolved_at is null order by f.last_failed_at desc, f.job, f.item_key limit 20`,
  );
  const itemFailureCount = itemFailureRows[0]?.total ?? 0;
  const problems = charts.filter((chart) => chart.level !== "ok").map((chart) => ({ chart: chart.title, level: chart.level, reason: chart.reason }));
  const itemFailureVerdict = judge("item-failures", "", itemFailureCount, healthThresholds.openJobItemFailures, String(itemFailureCount), "Items billing jobs could not process");
  if (itemFailureVerdict.level !== "ok") problems.push({ chart: "Billing job failures", level: itemFailureVerdict.level, reason: itemFailureVerdict.reason });
  for (const job of failedDaily) problems.push({ chart: "Jobs", level: "red", reason: `The last run of ${job.job} failed${job.lastError ? `: ${job.lastError}` : ""}` });
  return {
    range: options.range,
    bucketMinutes: shape.bucketMinutes,
    from,
    to,
    level: worstLevel(problems.map((problem) => problem.level)),
    problems,
    charts,
    jobs,
    invoiceAccuracy,
    openDiscrepancies: openList.map((row) => ({ id: row.id, kind: row.kind, description: row.description, difference: row.difference, unit: row.unit, currency: row.currency, amountMicros: BigInt(row.amount_micros), invoiceId: row.invoice_id, customerId: row.customer_id, firstSeenAt: new Date(row.first_seen_at), lastSeenAt: new Date(row.last_seen_at), objects: row.objects })),
    openDiscrepancyCount: openCount,
    itemFailures: itemFailureRows.map((row) => ({
      job: row.job,
      itemKey: row.item_key,
      code: row.code,
      message: row.message,
      attempts: Number(row.attempts),
      firstFailedAt: new Date(row.first_failed_at),
      lastFailedAt: new Date(row.last_failed_at),
      anomalyId: row.anomaly_id,
      customerId: row.customer_id,
    })),
    itemFailureCount,
  };
}

function worstOf(...verdicts: { level: HealthLevel; reason: string }[]): { level: HealthLevel; reason: string } {
  const level = worstLevel(verdicts.map((verdict) => verdict.level));
  return { level, reason: verdicts.filter((verdict) => verdict.level !== "ok").map((verdict) => verdict.reason).join("; ") };
}
