import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { listJobHealth, type JobHealth } from "./job-runs";
import { gauge } from "./metrics";

/*
 * Gauges computed from the database when /api/metrics is scraped (and by the health sampler),
 * each with one bounded query: an index walk capped at `backlogCountMax` rows, or a handful of
 * index lookups. Never per request. A snapshot is reused for `snapshotMaxAgeMs`, so concurrent
 * scrapes cost one read.
 */

export const backlogCountMax = 100_000;
const snapshotMaxAgeMs = 5_000;

export type DatabaseGaugeSnapshot = {
  readAt: Date;
  rollupBacklogEvents: number;
  rollupOldestPendingAgeSeconds: number;
  webhookInboxByStatus: { pending: number; failed: number; parked: number };
  webhookOldestPendingAgeSeconds: number;
  openDiscrepanciesByKind: Record<string, { count: number; amountMicros: bigint }>;
  jobs: JobHealth[];
};

/** Reads every database gauge now (about 5 index reads). */
export async function readDatabaseGauges(db: Db, options: { jobNames?: readonly string[] } = {}): Promise<DatabaseGaugeSnapshot> {
  const [rollup] = await executeRows<{ backlog: string; oldest_age_s: string | null }>(
    db,
    sql`with cursor as (select last_txid, last_seq from metering_cursors where name = 'rollup')
        select (select count(*) from (
                  select 1 from usage_events
                  where (txid, seq) > coalesce((select (last_txid, last_seq) from cursor), ('0'::xid8, 0::bigint))
                  order by txid, seq limit ${backlogCountMax}) pending) as backlog,
               (select extract(epoch from now() - ingested_at) from usage_events
                  where (txid, seq) > coalesce((select (last_txid, last_seq) from cursor), ('0'::xid8, 0::bigint))
                  order by txid, seq limit 1) as oldest_age_s`,
  );
  const inbox = await executeRows<{ status: string; events: string }>(
    db,
    sql`select status, (select count(*) from (select 1 from stripe_webhook_events e where e.status = s.status limit ${backlogCountMax}) capped) as events
        from (values ('pending'), ('failed'), ('parked')) as s(status)`,
  );
  const [oldestWebhook] = await executeRows<{ oldest_age_s: string | null }>(
    db,
    sql`select extract(epoch from now() - min(received_at)) as oldest_age_s from stripe_webhook_events where status in ('pending', 'failed')`,
  );
  const byStatus = Object.fromEntries(inbox.map((row) => [row.status, Number(row.events)]));
  return {
    readAt: new Date(),
    rollupBacklogEvents: Number(rollup?.backlog ?? 0),
    rollupOldestPendingAgeSeconds: Math.max(0, Number(rollup?.oldest_age_s ?? 0)),
    webhookInboxByStatus: { pending: byStatus.pending ?? 0, failed: byStatus.failed ?? 0, parked: byStatus.parked ?? 0 },
    webhookOldestPendingAgeSeconds: Math.max(0, Number(oldestWebhook?.oldest_age_s ?? 0)),
    openDiscrepanciesByKind: await readOpenDiscrepancies(db),
    jobs: await listJobHealth(db, { jobs: options.jobNames ?? [], since: new Date(Date.now() - 86_400_000) }),
  };
}

/** Open reconciliation discrepancies by kind (the table is small: one row per live difference). */
async function readOpenDiscrepancies(db: Db): Promise<Record<string, { count: number; amountMicros: bigint }>> {
  const [exists] = await executeRows<{ present: boolean }>(db, sql`select to_regclass('reconciliation_discrepancies') is not null as present`);
  if (!exists?.present) return {};
  const rows = await executeRows<{ kind: string; count: string; amount_micros: string }>(
    db,
    sql`select kind, count(*) as count, coalesce(sum(amount_micros), 0)::text as amount_micros
        from reconciliation_discrepancies where status = 'open' group by kind`,
  );
  return Object.fromEntries(rows.map((row) => [row.kind, { count: Number(row.count), amountMicros: BigInt(row.amount_micros) }]));
}

let cached: { db: Db; snapshot: Promise<DatabaseGaugeSnapshot>; atMs: number } | undefined;

/** Tests: the next read goes to the database. */
export function forgetDatabaseGauges(): void {
  cached = undefined;
}

export function readDatabaseGaugesCached(db: Db, options: { jobNames?: readonly string[] } = {}): Promise<DatabaseGaugeSnapshot> {
  const nowMs = Date.now();
  if (cached && cached.db === db && nowMs - cached.atMs < snapshotMaxAgeMs) return cached.snapshot;
  const snapshot = readDatabaseGauges(db, options);
  cached = { db, snapshot, atMs: nowMs };
  snapshot.catch(() => {
    if (cached?.snapshot === snapshot) cached = undefined;
  });
  return snapshot;
}

/**
 * Registers the database gauges, read from `database()` at each scrape. Idempotent. A failed
 * read leaves the gauges at their last values and sets tally_metrics_database_up to 0.
 */
export function registerDatabaseGauges(database: () => Promise<Db>, options: { jobNames: readonly string[] }): void {
  let current: DatabaseGaugeSnapshot | undefined;
  const up = gauge({ name: "tally_metrics_database_up", help: "1 when the last scrape read the database gauges, 0 when that read failed." });
  const refresh = async () => {
    try {
      current = await readDatabaseGaugesCached(await database(), options);
      up.set(1);
    } catch {
      up.set(0);
    }
  };
  // prom-client collects every metric at once: they all wait for one shared read.
  let pending: Promise<void> | undefined;
  const ensure = () => (pending ??= refresh().finally(() => (pending = undefined)));
  gauge({
    name: "tally_metering_rollup_backlog_events",
    help: `Events stored but not yet rolled up (counted up to ${backlogCountMax}).`,
    async collect() {
      await ensure();
      if (current) this.set(current.rollupBacklogEvents);
    },
  });
  gauge({
    name: "tally_metering_rollup_oldest_pending_age_seconds",
    help: "Age of the oldest event not yet rolled up (0 when none waits).",
    async collect() {
      await ensure();
      if (current) this.set(current.rollupOldestPendingAgeSeconds);
    },
  });
  gauge({
    name: "tally_stripe_webhook_inbox_events",
    help: `Stripe webhook events in the inbox not yet processed, by status (pending, failed = waiting for a retry, parked = needs a person); counted up to ${backlogCountMax}.`,
    labelNames: ["status"],
    async collect() {
      await ensure();
      if (!current) return;
      for (const [status, events] of Object.entries(current.webhookInboxByStatus)) this.set({ status }, events);
    },
  });
  gauge({
    name: "tally_stripe_webhook_oldest_pending_age_seconds",
    help: "Age of the oldest Stripe webhook event waiting to be processed (pending or failed); 0 when none waits.",
    async collect() {
      await ensure();
      if (current) this.set(current.webhookOldestPendingAgeSeconds);
    },
  });
  gauge({
    name: "tally_reconciliation_open_discrepancies",
    help: "Open reconciliation discrepancies by kind.",
    labelNames: ["kind"],
    async collect() {
      await ensure();
      if (!current) return;
      this.reset();
      for (const [kind, open] of Object.entries(current.openDiscrepanciesByKind)) this.set({ kind }, open.count);
    },
  });
  gauge({
    name: "tally_reconciliation_open_discrepancy_amount_micros",
    help: "Sum of the open reconciliation discrepancies' absolute money differences by kind, in micro-units of the currency (1 USD = 1,000,000).",
    labelNames: ["kind"],
    async collect() {
      await ensure();
      if (!current) return;
      this.reset();
      for (const [kind, open] of Object.entries(current.openDiscrepanciesByKind)) this.set({ kind }, Number(open.amountMicros));
    },
  });
  gauge({
    name: "tally_job_last_success_timestamp_seconds",
    help: "Unix time of each job's last successful run, in any process (0: never).",
    labelNames: ["job"],
    async collect() {
      await ensure();
      if (!current) return;
      for (const job of current.jobs) this.set({ job: job.job }, job.lastSuccessAt ? job.lastSuccessAt.getTime() / 1000 : 0);
    },
  });
  gauge({
    name: "tally_job_last_run_failed",
    help: "1 when each job's last finished run failed, in any process.",
    labelNames: ["job"],
    async collect() {
      await ensure();
      if (!current) return;
      for (const job of current.jobs) this.set({ job: job.job }, job.lastStatus === "failed" ? 1 : 0);
    },
  });
}
