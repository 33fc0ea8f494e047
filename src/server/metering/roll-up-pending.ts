import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { executePreparedRows } from "@/db/execute-prepared";
import { systemClock, type Clock } from "@/server/clock";
import { backfillNewMeters } from "./backfill-new-meters";
import { compiledDistinctValuesSql, compiledWindowAggregatesSql, loadCompiledMeters, rollupCursorName, type CompiledMeter } from "./rollup-sql";

export type RollUpPendingResult = {
  /** False when another process holds the cursor (it is rolling up now). */
  claimed: boolean;
  events: number;
  windows: number;
  /** Oldest ingested_at → rolled up among this claim's events. */
  lagMsMax: number;
  /** This claim's events grouped by batch: [lag in ms, events] (a few pairs), for the lag histogram metric. */
  lags: [number, number][];
  backfilledMeters: number;
};

export const rollupClaimEventsMax = 50_000;
const hourMs = 3_600_000;

/**
 * Rolls up the next events in ingestion order, at most `limit`. Several processes may call
 * this at once: the cursor row is taken FOR UPDATE SKIP LOCKED, so one works while the others
 * return at once. The rollups, the distinct values and the cursor move in one transaction, so
 * each event is counted exactly once.
 *
 * Ingestion order is (txid, seq): a sequence alone is not enough, because a batch that drew
 * a lower seq may commit after one that drew a higher. Only events whose transaction is older
 * than every transaction still running (pg_snapshot_xmin) are claimed; no event can later
 * appear behind the cursor.
 */
export async function rollUpPending(db: Db, options: { limit?: number; clock?: Clock } = {}): Promise<RollUpPendingResult> {
  const limit = Math.min(Math.max(options.limit ?? 10_000, 1), rollupClaimEventsMax);
  // Events before the start of the hour before this one are late (see the claim's `seal`). Not
  // this hour's start: right after each hour boundary every claim rolls up the last hour's events
  // that were still in flight, and marking those would send every check back to its raw events.
  const sealed = new Date((Math.floor((options.clock ?? systemClock).now().getTime() / hourMs) - 1) * hourMs).toISOString();
  await executeRows(db, sql`insert into metering_cursors (name) values (${rollupCursorName}) on conflict do nothing`);
  if (!(await hasPendingWork(db))) {
    await sealPastHours(db, sealed);
    return { claimed: true, events: 0, windows: 0, lagMsMax: 0, lags: [], backfilledMeters: 0 };
  }
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    // Under the cursor row's lock: `sealed_before` as this claim moves it (see the claim's late_marks).
    const [cursor] = await executeRows<{ last_txid: string; last_seq: string; sealed_before: string }>(
      tx,
      sql`select last_txid::text as last_txid, last_seq::text as last_seq,
                 greatest(sealed_before, ${sealed}::timestamptz)::text as sealed_before
          from metering_cursors where name = ${rollupCursorName} for update skip locked`,
    );
    if (!cursor) return { claimed: false, events: 0, windows: 0, lagMsMax: 0, lags: [], backfilledMeters: 0 };
    const backfilledMeters = await backfillNewMeters(tx);
    const meters = await loadCompiledMeters(tx);
    // The planner cannot know how many events wait past the cursor (the statistics lag behind a
    // fast-growing table) and would read and sort all of them to return the first `limit`; walk
    // the (txid, seq) indexes in order instead, and keep a claim's intermediate rows in memory.
    await executeRows(tx, sql`select set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true),
      set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
    const [row] = await executeRows<{ events: string | number; windows: string | number; lag_ms_max: string | number | null; lags: [number, number][] | null }>(
      tx,
      claimSql(cursor.last_txid, cursor.last_seq, limit, meters, cursor.sealed_before),
    );
    return {
      claimed: true,
      events: Number(row?.events ?? 0),
      windows: Number(row?.windows ?? 0),
      lagMsMax: Number(row?.lag_ms_max ?? 0),
      lags: row?.lags ?? [],
      backfilledMeters,
    };
  });
}

/**
 * Whether a claim would find anything: an event past the cursor that can be claimed, or a meter
 * not yet backfilled. One cheap read, so that an idle worker polling every 200 ms does not
 * plan and run the whole claim (10–30 ms of PostgreSQL each time). Read without the cursor's
 * lock: a claim that finds nothing after all is harmless.
 */
async function hasPendingWork(db: Db): Promise<boolean> {
  const [row] = await executePreparedRows<{ pending: boolean }>(
    db,
    // The first event in claim order, not EXISTS: PostgreSQL drops an EXISTS's ORDER BY and LIMIT
    // and may then read a long backlog whole with a bitmap scan.
    sql`select (select 1 from usage_events
                where (txid, seq) > (select last_txid, last_seq from metering_cursors where name = ${rollupCursorName})
                  and txid < pg_snapshot_xmin(pg_current_snapshot())
                order by txid, seq limit 1) is not null
           or exists (
              select 1 from catalog_meters m where not exists (select 1 from metering_meter_backfills b where b.meter_id = m.id))
           as pending`,
  );
  return row?.pending === true;
}

/**
 * With nothing to claim, the hours before the last one are sealed all the same (a claim does it as it
 * claims), so that usage prefixes reach them on a quiet system too. Under the cursor row's lock,
 * like a claim; skipped while a claim holds it.
 */
async function sealPastHours(db: Db, sealed: string): Promise<void> {
  await executePreparedRows(
    db,
    sql`update metering_cursors set sealed_before = ${sealed}::timestamptz
        where name = (select name from metering_cursors
                      where name = ${rollupCursorName} and sealed_before < ${sealed}::timestamptz
                      for update skip locked)
        returning 1`,
  );
}

/** The excluded (claimed) window's latest event is later, by event time then ingestion order. */
const newer = sql`(excluded.latest_at is not null and (r.latest_at is null
  or (excluded.latest_at, excluded.latest_seq) > (r.latest_at, r.latest_seq)))`;

function claimSql(lastTxid: string, lastSeq: string, limit: number, meters: readonly CompiledMeter[], sealedBefore: string) {
  return sql`
    with claimed as materialized (
      select seq, txid, type, subject, customer_id, occurred_at, ingested_at, data
      from usage_events
      where (txid, seq) > (${lastTxid}::xid8, ${lastSeq}::bigint)
        and txid < pg_snapshot_xmin(pg_current_snapshot())
      order by txid, seq
      limit ${limit}
    ),
    windows as materialized (${compiledWindowAggregatesSql(sql`claimed`, meters)}),
    upserted as (
      insert into usage_rollups as r (meter_id, subject, window_start, dimensions, events, sum_value, max_value,
                                      latest_value, latest_at, latest_seq)
      select meter_id, subject, window_start, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq
      from windows
      on conflict (meter_id, subject, window_start, dimensions) do update set
        events = r.events + excluded.events,
        sum_value = case when r.sum_value is null then excluded.sum_value
                         else r.sum_value + coalesce(excluded.sum_value, 0) end,
        max_value = greatest(r.max_value, excluded.max_value),
        latest_value = case when ${newer} then excluded.latest_value else r.latest_value end,
        latest_at = case when ${newer} then excluded.latest_at else r.latest_at end,
        latest_seq = case when ${newer} then excluded.latest_seq else r.latest_seq end,
        updated_at = now()
      returning 1
    ),
    distinct_values as (
      insert into usage_rollup_values (meter_id, subject, window_start, dimensions, value)
      select meter_id, subject, window_start, dimensions, value from (${compiledDistinctValuesSql(sql`claimed`, meters)}) v
      -- Most values of a claim are already known: an anti-join finds them for a fraction of what
      -- ON CONFLICT's per-row probe costs; ON CONFLICT stays for the rest.
      where not exists (select 1 from usage_rollup_values known
                        where (known.meter_id, known.subject, known.window_start, known.dimensions, known.value)
                            = (v.meter_id, v.subject, v.window_start, v.dimensions, v.value))
      on conflict do nothing
      returning 1
    ),
    -- Events of no customer, counted per subject for Ingestion → Unknown subjects. Here, not in
    -- ingestion: the claim is the one writer (no row contention between ingesting batches, no
    -- batch waiting on another's open transaction) and counts each event exactly once, with the
    -- cursor. attachUnknownEvents takes the cursor's lock before it removes a subject.
    unknown_subjects as (
      insert into metering_unknown_subjects as subjects (subject, events, first_occurred_at, last_occurred_at)
      select subject, count(*), min(occurred_at), max(occurred_at) from claimed where customer_id is null group by subject
      on conflict (subject) do update set
        events = subjects.events + excluded.events,
        first_occurred_at = least(subjects.first_occurred_at, excluded.first_occurred_at),
        last_occurred_at = greatest(subjects.last_occurred_at, excluded.last_occurred_at)
      returning 1
    ),
    -- Events before sealed_before (at least what it was, which a reader may have seen; at least
    -- the hour before this claim's) are late. Each subject's last late event marks it (usage
    -- prefixes, see usage-prefix-cache.ts): this claim holds the cursor row's lock, so a prefix
    -- read before it commits saw a sealed_before at or before this one.
    late_marks as (
      insert into metering_late_marks as m (subject, late_txid, late_seq)
      select distinct on (subject) subject, txid, seq from claimed
      where occurred_at < ${sealedBefore}::timestamptz
      order by subject, txid desc, seq desc
      on conflict (subject) do update set late_txid = excluded.late_txid, late_seq = excluded.late_seq
        where (excluded.late_txid, excluded.late_seq) > (m.late_txid, m.late_seq)
      returning 1
    ),
    lags as (
      -- A batch's events share ingested_at (its transaction's start), so this is a few rows.
      select extract(epoch from clock_timestamp() - ingested_at) * 1000 as lag_ms, events
      from (select ingested_at, count(*) as events from claimed group by ingested_at) batches
    ),
    histogram as (
      insert into metering_lag_histogram as h (minute, bucket, count)
      select date_trunc('minute', now(), 'UTC'), floor(ln(greatest(lag_ms, 1)) / ln(1.1))::smallint, sum(events)
      from lags group by 2
      on conflict (minute, bucket) do update set count = h.count + excluded.count
      returning 1
    ),
    last_claimed as (select txid, seq from claimed order by txid desc, seq desc limit 1),
    moved as (
      update metering_cursors c set last_txid = l.txid, last_seq = l.seq, sealed_before = ${sealedBefore}::timestamptz, updated_at = now()
      from last_claimed l where c.name = ${rollupCursorName}
      returning 1
    )
    select (select count(*) from claimed) as events,
           (select count(*) from windows) as windows,
           (select max(lag_ms) from lags) as lag_ms_max,
           (select json_agg(json_build_array(lag_ms, events)) from lags) as lags`;
}
