import { sql, type SQL } from "drizzle-orm";
import { primaryPoolOf, type Db } from "@/db/client";
import { executeCompiledRows } from "@/db/execute-prepared";
import { rollupHistorySql } from "@/server/metering/rollup-history";
import { rollupCursorName } from "@/server/metering/rollup-sql";
import { logger } from "@/server/observability/logger";
import { wholeHours, type PeriodUsageInput, type UsagePrefix } from "./read-period-usage";

/*
 * In-process cache of usage prefixes (issue 16): a check late in its period otherwise
 * re-aggregates the rollups of every whole hour of the period so far (hundreds of hours × meters
 * × dimensions) on every call. A prefix is that aggregate for the hours [inner start, end), where
 * `end` is an hour boundary at or before now and at or before the rollup cursor's sealed_before,
 * read with the rollup cursor C0 in one statement, so it holds exactly the events at or before C0
 * in those hours. A check then reads the prefix's hours as the prefix plus the subject's raw
 * events past C0 there (rolled up since or not yet), and the rest of the period as without one
 * (periodUsageSql, shape `prefix`): the same usage, exactly, as readPeriodUsage.
 *
 * Reading the subject's raw events past C0 on every check cost a heap fetch per event: under
 * steady ingestion checks slowed with every event since the prefix was read. But claims roll up
 * events into the prefix's hours only when they are late: every claim that commits after the
 * prefix was read marks the subject of each event it rolls up before its sealed hour
 * (metering_late_marks), and that sealed hour is at or after the prefix's end (it only moves
 * forward, under the cursor row's lock). So while its subject's mark is at or before C0 a check
 * reads only the events past the current cursor; once it is past C0 the check reads the raw
 * events past C0 and a fresh prefix is read in the background.
 *
 * Valid while nothing rewrites the rollups of events already behind the cursor. Whatever does
 * (a new meter's backfill, a verification's repair, planted usage) bumps the rollup history
 * generation in its transaction (metering/rollup-history.ts); the check reads the generation and
 * the cursor in its own statement and, if the generation moved or the cursor is behind C0
 * (a restored database), drops the prefix and reads again without it. Keyed by the database
 * handle, the subject, the period's inner start and the meters.
 */

const hourMs = 3_600_000;
/** A prefix is refreshed once its end could move this far, plus a jitter of up to an hour (the rollups read after it grow with time). */
export const usagePrefixRefreshMs = 2 * hourMs;
/** Below this many whole hours there is little to save: no prefix. */
const prefixHoursMin = 2;
/**
 * Raw events of the subject past C0 that a check marked late reads: a fresh prefix is read in
 * the background at once, and past this bound (the refresh has not kept up) the prefix is
 * dropped and the next check reads one.
 */
export const usagePrefixRawEventsMax = 1_000;
/** Bounds: group rows per prefix, prefixes per handle, and characters of JSON over all of a handle's prefixes. */
const rowsPerPrefixMax = 500;
export const usagePrefixBounds = { entriesMax: 100_000, charsTotalMax: 32_000_000 };

/** Counts since the process started (tests assert the prefix path is taken; a rebuild is a read of every past hour). */
export const usagePrefixCounts = { built: 0, dropped: 0, refreshed: 0 };

/**
 * A cached prefix and when it is due for a refresh: once the last hour boundary is
 * usagePrefixRefreshMs plus this entry's jitter (up to an hour, from its key) past its end, so
 * the prefixes built in one hour do not all fall due at the same boundary.
 */
type Entry = { prefix: UsagePrefix; refreshAtMs: number };
type RefreshJob = { input: PeriodUsageInput; innerStart: Date; end: Date };
type PrefixCache = { entries: Map<string, Entry>; chars: number; refreshes: Map<string, RefreshJob>; refreshing: Promise<void> | null };
const caches = new WeakMap<Db, PrefixCache>();
/** Prefixes waiting for a background refresh, per handle; past this, a due one waits for a later check. */
const refreshQueueMax = 10_000;

function cacheOf(db: Db): PrefixCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = { entries: new Map(), chars: 0, refreshes: new Map(), refreshing: null };
    caches.set(db, cache);
  }
  return cache;
}

function keyOf(input: PeriodUsageInput, innerStart: Date): string {
  return [input.subject, innerStart.toISOString(), ...input.meters.map((meter) => meter.id).sort()].join("\u0000");
}

/** 0 ≤ jitter < 1 hour, fixed per key (FNV-1a of the key). */
function jitterMs(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % hourMs;
}

/**
 * The prefix a check of `input` at `now` should use, or undefined when the period has too few
 * whole hours before now to be worth one.
 *
 * A cached prefix is always used: it is exact at any age (the check reads the rollups after its
 * end), only the part read beside it grows. Once it is due, a fresh one is read in the
 * background, one at a time per handle, and replaces it. Without a cached prefix the check
 * waits for one. Either way the prefix's statement (every past hour of the period) runs on the
 * main pool (primaryPoolOf), never on the hot handle's one pipelined connection, where every
 * check in flight would wait behind it.
 */
export async function currentUsagePrefix(db: Db, input: PeriodUsageInput, now: Date): Promise<UsagePrefix | undefined> {
  const { innerStart, innerEnd } = wholeHours(input);
  const endMs = Math.min(innerEnd.getTime(), Math.floor(now.getTime() / hourMs) * hourMs);
  if (endMs - innerStart.getTime() < prefixHoursMin * hourMs) return undefined;
  const key = keyOf(input, innerStart);
  const cache = cacheOf(db);
  const cached = cache.entries.get(key);
  if (cached) {
    // Least recently used goes first: a hit moves the entry to the end of the map's order.
    cache.entries.delete(key);
    cache.entries.set(key, cached);
    if (endMs >= cached.refreshAtMs) scheduleRefresh(db, cache, key, { input, innerStart, end: new Date(endMs) });
    return cached.prefix;
  }
  const prefix = await readUsagePrefix(primaryPoolOf(db), input, innerStart, new Date(endMs));
  usagePrefixCounts.built++;
  if (!prefix) {
    forget(cache, key);
    return undefined;
  }
  remember(cache, key, prefix);
  return prefix;
}

/** Reads a fresh prefix of `input` in the background (its raw part grew); the cached one answers meanwhile. */
export function refreshUsagePrefixSoon(db: Db, input: PeriodUsageInput, now: Date): void {
  const cache = caches.get(db);
  if (!cache) return;
  const { innerStart, innerEnd } = wholeHours(input);
  const key = keyOf(input, innerStart);
  if (!cache.entries.has(key)) return;
  const endMs = Math.min(innerEnd.getTime(), Math.floor(now.getTime() / hourMs) * hourMs);
  scheduleRefresh(db, cache, key, { input, innerStart, end: new Date(endMs) });
}

/** Drops the prefix of `input` (its guard failed, or its raw part grew past the bound). */
export function forgetUsagePrefix(db: Db, input: PeriodUsageInput): void {
  usagePrefixCounts.dropped++;
  const cache = caches.get(db);
  if (cache) forget(cache, keyOf(input, wholeHours(input).innerStart));
}

/** Tests: resolves when no background refresh of `db`'s prefixes is queued or running. */
export async function usagePrefixRefreshesSettled(db: Db): Promise<void> {
  const cache = caches.get(db);
  while (cache?.refreshing) await cache.refreshing;
}

function scheduleRefresh(db: Db, cache: PrefixCache, key: string, job: RefreshJob): void {
  if (cache.refreshes.has(key) || cache.refreshes.size >= refreshQueueMax) return;
  cache.refreshes.set(key, job);
  cache.refreshing ??= drainRefreshes(db, cache).finally(() => {
    cache.refreshing = null;
  });
}

async function drainRefreshes(db: Db, cache: PrefixCache): Promise<void> {
  for (let next = cache.refreshes.entries().next(); !next.done; next = cache.refreshes.entries().next()) {
    const [key, job] = next.value;
    try {
      const prefix = await readUsagePrefix(primaryPoolOf(db), job.input, job.innerStart, job.end);
      usagePrefixCounts.built++;
      usagePrefixCounts.refreshed++;
      // Only while still cached: an entry evicted or dropped meanwhile stays gone.
      if (cache.entries.has(key)) {
        if (prefix) remember(cache, key, prefix);
        else forget(cache, key);
      }
    } catch (error) {
      // The stale prefix stays (it is exact); a later check schedules the refresh again.
      logger.warn({ err: error, component: "entitlements" }, "could not refresh a usage prefix");
    } finally {
      cache.refreshes.delete(key);
    }
  }
}

function forget(cache: PrefixCache, key: string): void {
  const entry = cache.entries.get(key);
  if (!entry) return;
  cache.entries.delete(key);
  cache.chars -= entry.prefix.rowsJson.length;
}

function remember(cache: PrefixCache, key: string, prefix: UsagePrefix): void {
  forget(cache, key);
  // Maps iterate in insertion order and a hit re-inserts: drop the least recently used until both bounds hold.
  const { entriesMax, charsTotalMax } = usagePrefixBounds;
  while (cache.entries.size >= entriesMax || (cache.entries.size > 0 && cache.chars + prefix.rowsJson.length > charsTotalMax)) {
    const oldest = cache.entries.keys().next().value;
    if (oldest === undefined) break;
    forget(cache, oldest);
  }
  cache.entries.set(key, { prefix, refreshAtMs: new Date(prefix.end).getTime() + usagePrefixRefreshMs + jitterMs(key) });
  cache.chars += prefix.rowsJson.length;
}

type PrefixStatementRow = { cursor_txid: string; cursor_seq: string; end_ms: string; generation: string; groups: number | string; rows: string | null };

/**
 * The rollups of [innerStart, end) with the cursor C0 and generation, in one statement;
 * undefined past rowsPerPrefixMax groups. `end` is brought back to the rollup cursor's
 * sealed_before when that is earlier: every claim that commits after this statement marks the
 * events it rolls up before that hour (metering_late_marks), so a check can tell from its
 * subject's mark alone whether events past C0 were rolled up into the prefix's hours.
 */
async function readUsagePrefix(db: Db, input: PeriodUsageInput, innerStart: Date, end: Date): Promise<UsagePrefix | undefined> {
  const value = (name: string) => sql.placeholder(`prefix_${name}`);
  const cursorColumn = (column: SQL, fallback: SQL) => sql`coalesce((select ${column} from metering_cursors where name = ${rollupCursorName}), ${fallback})`;
  const [row] = await executeCompiledRows<PrefixStatementRow>(
    db,
    "usage-prefix",
    () => sql`
      with cursor_row as materialized (
        select ${cursorColumn(sql`last_txid`, sql`'0'::xid8`)} as last_txid, ${cursorColumn(sql`last_seq`, sql`0::bigint`)} as last_seq,
               greatest(${value("inner_start")}::timestamptz,
                        least(${value("end")}::timestamptz, ${cursorColumn(sql`sealed_before`, sql`'-infinity'::timestamptz`)})) as prefix_end
      ),
      g as materialized (
        select meter_id, dimensions, sum(events)::text as events, sum(sum_value)::text as sum_value, max(max_value)::text as max_value,
               (array_agg(latest_value order by latest_at desc, latest_seq desc) filter (where latest_value is not null))[1]::text as latest_value,
               (array_agg(latest_at order by latest_at desc, latest_seq desc) filter (where latest_value is not null))[1]::text as latest_at,
               (array_agg(latest_seq order by latest_at desc, latest_seq desc) filter (where latest_value is not null))[1]::text as latest_seq
        from usage_rollups
        where meter_id = any(${value("meter_ids")}::uuid[]) and subject = ${value("subject")}
          and window_start >= ${value("inner_start")}::timestamptz and window_start < (select prefix_end from cursor_row)
        group by meter_id, dimensions
        limit ${rowsPerPrefixMax + 1}
      )
      select (select last_txid from cursor_row)::text as cursor_txid,
             (select last_seq from cursor_row)::text as cursor_seq,
             (extract(epoch from (select prefix_end from cursor_row)) * 1000)::bigint::text as end_ms,
             ${rollupHistorySql()} as generation,
             (select count(*) from g) as groups,
             (select json_agg(json_build_object('meter_id', g.meter_id, 'dimensions', g.dimensions, 'events', g.events,
                       'sum_value', g.sum_value, 'max_value', g.max_value, 'latest_value', g.latest_value,
                       'latest_at', g.latest_at, 'latest_seq', g.latest_seq))::text
              from g) as rows`,
    {
      prefix_meter_ids: `{${input.meters.map((meter) => meter.id).join(",")}}`,
      prefix_subject: input.subject,
      prefix_inner_start: innerStart.toISOString(),
      prefix_end: end.toISOString(),
    },
  );
  if (!row) throw new Error("readUsagePrefix: the statement returned no row");
  if (Number(row.groups) > rowsPerPrefixMax) return undefined;
  return {
    innerStart: innerStart.toISOString(),
    end: new Date(Number(row.end_ms)).toISOString(),
    cursorTxid: row.cursor_txid,
    cursorSeq: row.cursor_seq,
    generation: row.generation,
    rowsJson: row.rows ?? "[]",
  };
}
