import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { anomalyRuns, meters, type AnomalyKind } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { formatMoney } from "@/lib/format";
import type { AnomalyCandidate } from "./candidate";
import { detectCreditBurn, detectSpendLimits } from "./detectors/credits-and-limits";
import { detectInvoiceJump } from "./detectors/invoice-jump";
import { detectDuplicateCharges, detectPaymentFailures } from "./detectors/payments";
import { detectUsageAnomalies, type UsageFinding } from "./detectors/usage";
import { enrichUsageFindings, type MeterInfo } from "./enrich-usage-findings";
import { persistAnomalies, type PersistAnomaliesResult, type Scope } from "./persist-anomalies";
import { readChargeFacts, readCreditFacts, readDunningFacts, readInvoiceFacts, readRecentPeriodBills, readSpendFacts } from "./read-facts";
import { readUsageSeriesPage, refreshUsageDays } from "./read-usage-series";
import { detectJobFailures } from "./job-failures";
import { detectReconciliation } from "./reconciliation";
import { addDays, dayString } from "./robust";
import { readAnomalySettings, type AnomalySettings } from "./settings";

export type DetectionMode = "hourly" | "daily" | "manual";

export type DetectAnomaliesOptions = {
  clock: Clock;
  /** hourly: refreshes the last two days of daily usage; daily / manual: the whole look-back (and everything the first time). */
  mode?: DetectionMode;
  /** Only these kinds (default: all). */
  kinds?: readonly AnomalyKind[];
  /** Only these customers (tests, the demo seed); default: everyone. */
  customerIds?: readonly string[];
  /** Series per page of the usage read (bounded memory). */
  seriesPageSize?: number;
  log?: (message: string) => void;
};

export type DetectAnomaliesResult = {
  runId: string;
  mode: DetectionMode;
  asOf: Date;
  refreshedUsageDays: number;
  seriesExamined: number;
  candidates: Partial<Record<AnomalyKind, number>>;
  persisted: PersistAnomaliesResult;
  timingsMs: Record<string, number>;
};

const paymentDays = 60;
const invoiceDays = 100;
const billingDays = 45;

/**
 * The detection run: every detector over the data it reads, then one idempotent write of what it
 * found (persist-anomalies.ts). Runnable any number of times; `npm run job -- anomalies:detect`.
 */
export async function detectAnomalies(db: Db, options: DetectAnomaliesOptions): Promise<DetectAnomaliesResult> {
  const mode = options.mode ?? "manual";
  const asOf = options.clock.now();
  const log = options.log ?? (() => {});
  const kinds = new Set<AnomalyKind>(options.kinds ?? ["usage_spike", "usage_drop", "invoice_jump", "duplicate_charge", "payment_failure", "reconciliation", "credit_burn", "spend_limit", "job_failure"]);
  const filter = options.customerIds === undefined ? {} : { customerIds: options.customerIds };
  const settings = await readAnomalySettings(db);
  const [run] = await db.insert(anomalyRuns).values({ mode, asOf, startedAt: new Date() }).returning({ id: anomalyRuns.id });
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };
  const describeMoney = (micros: bigint, currency = "usd") => formatMoney(micros, currency, { signed: false });
  const candidates: AnomalyCandidate[] = [];
  const scopes: Scope[] = [];
  const everyone = (kind: AnomalyKind, since: Date | null) => {
    if (options.customerIds === undefined) scopes.push({ kind, customerId: "*", subject: "*", since });
    else for (const customerId of options.customerIds) scopes.push({ kind, customerId, subject: "*", since });
  };

  let refreshed = 0;
  let usageDaysFilledFrom: string | null = null;
  let seriesExamined = 0;
  if (kinds.has("usage_spike") || kinds.has("usage_drop")) {
    const usage = await time("usage", () => detectUsage(db, { asOf, mode, settings, filter, pageSize: options.seriesPageSize ?? 5_000, log, timings }));
    refreshed = usage.refreshed;
    usageDaysFilledFrom = usage.filledFrom;
    seriesExamined = usage.evaluated.length;
    candidates.push(...(await time("usage_evidence", async () => enrichUsageFindings(db, usage.findings, { settings, asOf, meters: await readMeters(db) }))).filter((candidate) => kinds.has(candidate.kind)));
    for (const evaluated of usage.evaluated) {
      if (kinds.has("usage_spike")) scopes.push({ kind: "usage_spike", customerId: evaluated.customerId, subject: `meter:${evaluated.meterKey}`, since: usage.evaluatedFrom });
      if (kinds.has("usage_drop")) scopes.push({ kind: "usage_drop", customerId: evaluated.customerId, subject: `meter:${evaluated.meterKey}`, since: null });
    }
  }
  if (kinds.has("invoice_jump")) {
    const pairs = await time("invoice_read", () => readRecentPeriodBills(db, { ...filter, asOf, days: billingDays }));
    for (const pair of pairs) {
      const candidate = detectInvoiceJump(pair, settings, (micros, options) => formatMoney(micros, pair.current.currency, options));
      if (candidate) candidates.push(candidate);
      scopes.push({ kind: "invoice_jump", customerId: pair.customerId, subject: `invoice:${pair.current.invoiceIds[pair.current.invoiceIds.length - 1]}`, since: null });
    }
  }
  if (kinds.has("duplicate_charge") || kinds.has("payment_failure")) {
    const [charges, invoices, dunning] = await time("payments_read", () =>
      Promise.all([readChargeFacts(db, { ...filter, asOf, days: paymentDays }), readInvoiceFacts(db, { ...filter, asOf, days: invoiceDays }), readDunningFacts(db, filter)]),
    );
    const since = new Date(asOf.getTime() - paymentDays * 86_400_000);
    if (kinds.has("duplicate_charge")) {
      candidates.push(...detectDuplicateCharges({ charges, invoices }, settings, describeMoney));
      everyone("duplicate_charge", since);
    }
    if (kinds.has("payment_failure")) {
      candidates.push(...detectPaymentFailures({ charges, dunning }, settings, describeMoney));
      everyone("payment_failure", null);
    }
  }
  if (kinds.has("credit_burn")) {
    const facts = await time("credits_read", () => readCreditFacts(db, { ...filter, asOf, recentDays: 30, baselineDays: 60, expiryDays: settings["credit_burn.expiry_days"] }));
    candidates.push(...detectCreditBurn({ ...facts, asOf }, settings, describeMoney));
    everyone("credit_burn", null);
  }
  if (kinds.has("spend_limit")) {
    const facts = await time("spend_read", () => readSpendFacts(db, { ...filter, asOf }));
    candidates.push(...detectSpendLimits(facts, settings, describeMoney));
    everyone("spend_limit", new Date(asOf.getTime() - 2 * 86_400_000));
  }
  if (kinds.has("reconciliation")) {
    const reconciliation = await time("reconciliation", () => detectReconciliation(db, { ...filter, asOf, describeMoney }));
    candidates.push(...reconciliation.candidates);
    if (reconciliation.available) everyone("reconciliation", null);
  }
  if (kinds.has("job_failure")) {
    candidates.push(...(await time("job_failures", () => detectJobFailures(db, { ...filter, asOf }))));
    everyone("job_failure", null);
  }
  const persisted = await time("persist", () => persistAnomalies(db, { candidates, scopes, now: asOf, settings }));
  const byKind: Partial<Record<AnomalyKind, number>> = {};
  for (const candidate of candidates) byKind[candidate.kind] = (byKind[candidate.kind] ?? 0) + 1;
  log(`detection (${mode}): ${seriesExamined} usage series, ${candidates.length} findings; opened ${persisted.opened.length}, reopened ${persisted.reopened.length}, auto-resolved ${persisted.autoResolved.length}`);
  const summary = {
    refreshedUsageDays: refreshed,
    ...(usageDaysFilledFrom === null ? {} : { usageDaysFilledFrom }),
    seriesExamined,
    candidates: byKind,
    opened: persisted.opened.length,
    reopened: persisted.reopened.length,
    updated: persisted.updated,
    autoResolved: persisted.autoResolved.length,
    respected: persisted.respected,
    timingsMs: timings,
  };
  await db.update(anomalyRuns).set({ finishedAt: new Date(), summary }).where(eq(anomalyRuns.id, run!.id));
  return { runId: run!.id, mode, asOf, refreshedUsageDays: refreshed, seriesExamined, candidates: byKind, persisted, timingsMs: timings };
}

async function readMeters(db: Db): Promise<Map<string, MeterInfo>> {
  const rows = await db.select().from(meters).limit(10_000);
  return new Map(rows.map((meter) => [meter.key, { id: meter.id, key: meter.key, name: meter.name, unit: meter.unit, eventType: meter.eventType, aggregation: meter.aggregation, groupBy: meter.groupBy }]));
}

type UsagePass = { refreshed: number; findings: UsageFinding[]; evaluated: { customerId: string; meterKey: string }[]; evaluatedFrom: Date; filledFrom: string | null };

/**
 * Refreshes daily usage (the hourly run: yesterday and today; otherwise the whole look-back, or the
 * whole history when the table has never been filled that far), then streams the series through the
 * pure detector a page at a time.
 */
async function detectUsage(
  db: Db,
  input: { asOf: Date; mode: DetectionMode; settings: AnomalySettings; filter: { customerIds?: readonly string[] }; pageSize: number; log: (message: string) => void; timings: Record<string, number> },
): Promise<UsagePass> {
  // The usage phase split in three (the benchmark's figures name which part grows).
  const add = (name: string, startedMs: number) => {
    input.timings[name] = (input.timings[name] ?? 0) + Math.round(performance.now() - startedMs);
  };
  let startedMs = performance.now();
  const today = dayString(input.asOf);
  const lookback = Math.round(input.settings["usage.lookback_days"]);
  const historyStart = addDays(today, -(Math.round(input.settings["usage.history_days"]) + lookback));
  const [state] = await executeRows<{ earliest: string | null }>(db, sql`select min(day)::text as earliest from anomaly_usage_days`);
  // A full fill is needed when the daily usage does not reach back to the history's start — unless an
  // earlier run already filled from there (the rollups simply begin later: a young installation).
  // Without that memory every run of a system with less than the history refilled everything.
  const [filled] = await executeRows<{ from: string | null }>(
    db,
    sql`select min(summary->>'usageDaysFilledFrom') as from from anomaly_runs where finished_at is not null and summary ? 'usageDaysFilledFrom'`,
  );
  const filledFrom = filled?.from ?? null;
  const gap = state?.earliest === null || state?.earliest === undefined || state.earliest > addDays(historyStart, 1);
  const cold = state?.earliest === null || state?.earliest === undefined || (gap && (filledFrom === null || filledFrom > addDays(historyStart, 1)));
  const refreshFrom = cold ? historyStart : input.mode === "hourly" ? addDays(today, -1) : addDays(today, -(lookback + 1));
  const refreshed = await refreshUsageDays(db, { fromDay: refreshFrom, toDay: today, now: input.asOf });
  add("usage_refresh", startedMs);
  input.log(`usage days refreshed from ${refreshFrom}${cold ? " (first fill)" : ""}: ${refreshed} changed`);
  const findings: UsageFinding[] = [];
  const evaluated: UsagePass["evaluated"] = [];
  let evaluatedFrom = new Date(0);
  let after: { meterId: string; subject: string } | null = null;
  for (let page = 0; page < 100_000; page++) {
    startedMs = performance.now();
    const { series, next } = await readUsageSeriesPage(db, { fromDay: historyStart, toDay: today, after, limit: input.pageSize, ...input.filter });
    add("usage_read", startedMs);
    startedMs = performance.now();
    const result = detectUsageAnomalies({ series, asOf: input.asOf, settings: input.settings });
    add("usage_detect", startedMs);
    evaluatedFrom = result.evaluatedFrom;
    findings.push(...result.findings);
    const byKey = new Map(series.map((each) => [each.key, each]));
    for (const key of result.evaluatedSeriesKeys) {
      const each = byKey.get(key);
      if (each) evaluated.push({ customerId: each.customerId, meterKey: each.meterKey });
    }
    if (next === null) break;
    after = next;
  }
  return { refreshed, findings, evaluated, evaluatedFrom, filledFrom: cold ? refreshFrom : null };
}
