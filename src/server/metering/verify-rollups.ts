import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { bumpRollupHistory } from "./rollup-history";
import { matchedEventsSql, rolledUpSql, rollupCursorName, windowAggregatesSql } from "./rollup-sql";

export const verifyRollupsInput = z
  .object({ from: z.coerce.date(), to: z.coerce.date(), repair: z.boolean().optional() })
  .refine((range) => range.from < range.to, "from must be before to")
  .refine((range) => range.to.getTime() - range.from.getTime() <= 400 * 86_400_000, "verify at most 400 days at a time");

export type VerifyRollupsInput = z.input<typeof verifyRollupsInput>;

export type RollupDifference = {
  meterId: string;
  subject: string;
  windowStart: Date;
  dimensions: Record<string, string | null>;
  /** What the rollups hold, and what the raw events say (null: no row on that side). */
  stored: RollupState | null;
  recomputed: RollupState | null;
};
export type RollupState = { events: number; sumValue: string | null; maxValue: string | null; latestValue: string | null };

export type VerifyRollupsResult = {
  /** The hour windows checked: [from rounded down, to rounded up). */
  from: Date;
  to: Date;
  windows: number;
  differences: number;
  uniqueValueDifferences: number;
  /** Up to 50 differing windows, to investigate. */
  examples: RollupDifference[];
  /** With `repair`: the rollup windows rewritten from the raw events (every differing one). */
  repairedWindows?: number;
};

const examplesMax = 50;

/**
 * Recomputes every hour window in [from, to) from the raw events already rolled up (at or
 * before the cursor) and compares it with the rollups, in one REPEATABLE READ snapshot so a
 * concurrent claim cannot show up as a difference. Zero differences means the rollups are
 * exactly what the raw events say, including each window's distinct values.
 *
 * With `repair`, every differing window (and its distinct values) is rewritten from the raw
 * events in the same transaction, holding the rollup cursor so no claim runs meanwhile: how
 * rollups written before values were checked (a 1e50, a negative) are brought to today's rule.
 */
export async function verifyRollups(db: Db, input: VerifyRollupsInput): Promise<VerifyRollupsResult> {
  const parsed = verifyRollupsInput.parse(input);
  const hourMs = 3_600_000;
  const from = new Date(Math.floor(parsed.from.getTime() / hourMs) * hourMs);
  const to = new Date(Math.ceil(parsed.to.getTime() / hourMs) * hourMs);
  const window = sql`window_start >= ${from.toISOString()}::timestamptz and window_start < ${to.toISOString()}::timestamptz`;
  const events = sql`(select seq, type, subject, occurred_at, data from usage_events
    where occurred_at >= ${from.toISOString()}::timestamptz and occurred_at < ${to.toISOString()}::timestamptz and ${rolledUpSql()})`;
  return db.transaction(
    async (transaction) => {
      const tx = transaction as unknown as Db;
      // Repairing holds the cursor first: claims skip a locked cursor, so none interleaves.
      if (parsed.repair) {
        await executeRows(tx, sql`insert into metering_cursors (name) values (${rollupCursorName}) on conflict do nothing`);
        await executeRows(tx, sql`select 1 from metering_cursors where name = ${rollupCursorName} for update`);
      }
      await executeRows(tx, sql`create temporary table verify_matched on commit drop as ${matchedEventsSql(events)}`);
      await executeRows(
        tx,
        sql`create temporary table verify_windows on commit drop as
            with recomputed as (${windowAggregatesSql(sql`verify_matched`)}),
            stored as (select * from usage_rollups where ${window})
            select coalesce(s.meter_id, r.meter_id) as meter_id, coalesce(s.subject, r.subject) as subject,
                   coalesce(s.window_start, r.window_start) as window_start, coalesce(s.dimensions, r.dimensions) as dimensions,
                   s.events as s_events, s.sum_value::text as s_sum, s.max_value::text as s_max, s.latest_value::text as s_latest,
                   r.events as r_events, r.sum_value::text as r_sum, r.max_value::text as r_max, r.latest_value::text as r_latest,
                   (s.meter_id is null or r.meter_id is null
                    or s.events <> r.events or s.sum_value is distinct from r.sum_value or s.max_value is distinct from r.max_value
                    or s.latest_value is distinct from r.latest_value or s.latest_at is distinct from r.latest_at
                    or s.latest_seq is distinct from r.latest_seq) as differs
            from stored s full outer join recomputed r
              on s.meter_id = r.meter_id and s.subject = r.subject and s.window_start = r.window_start and s.dimensions = r.dimensions`,
      );
      const [values] = await executeRows<{ differences: string | number }>(
        tx,
        sql`with recomputed as (
              select distinct meter_id, subject, window_start, dimensions, text_value as value from verify_matched
              where aggregation = 'unique_count' and text_value is not null),
            stored as (select meter_id, subject, window_start, dimensions, value from usage_rollup_values where ${window})
            select count(*) as differences from stored s full outer join recomputed r
              on s.meter_id = r.meter_id and s.subject = r.subject and s.window_start = r.window_start
             and s.dimensions = r.dimensions and s.value = r.value
            where s.meter_id is null or r.meter_id is null`,
      );
      const [counts] = await executeRows<{ windows: string | number; differences: string | number }>(
        tx,
        sql`select count(*) as windows, count(*) filter (where differs) as differences from verify_windows`,
      );
      const differing = await executeRows<Record<string, unknown>>(
        tx,
        sql`select * from verify_windows where differs order by window_start, meter_id, subject limit ${examplesMax}`,
      );
      const result: VerifyRollupsResult = {
        from,
        to,
        windows: Number(counts?.windows ?? 0),
        differences: Number(counts?.differences ?? 0),
        uniqueValueDifferences: Number(values?.differences ?? 0),
        examples: differing.map(toDifference),
      };
      if (parsed.repair && (result.differences > 0 || result.uniqueValueDifferences > 0)) result.repairedWindows = await repairWindows(tx, window);
      return result;
    },
    { isolationLevel: "repeatable read", accessMode: "read write" },
  );
}

/**
 * Rewrites the windows that differ (verify_windows), and the distinct values of every window
 * of the range whose values differ, from verify_matched. Returns the windows rewritten.
 */
async function repairWindows(tx: Db, window: ReturnType<typeof sql>): Promise<number> {
  await bumpRollupHistory(tx);
  const differing = sql`(select meter_id, subject, window_start, dimensions from verify_windows where differs)`;
  const [repaired] = await executeRows<{ windows: string | number }>(
    tx,
    sql`with removed as (
          delete from usage_rollups r using ${differing} d
          where r.meter_id = d.meter_id and r.subject = d.subject and r.window_start = d.window_start and r.dimensions = d.dimensions
          returning 1
        )
        select (select count(*) from verify_windows where differs) as windows, (select count(*) from removed) as removed`,
  );
  await executeRows(
    tx,
    sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq)
        select r.meter_id, r.subject, r.window_start, r.dimensions, r.events, r.sum_value, r.max_value, r.latest_value, r.latest_at, r.latest_seq
        from (${windowAggregatesSql(sql`verify_matched`)}) r join ${differing} d
          on r.meter_id = d.meter_id and r.subject = d.subject and r.window_start = d.window_start and r.dimensions = d.dimensions`,
  );
  await executeRows(
    tx,
    sql`with recomputed as (
          select distinct meter_id, subject, window_start, dimensions, text_value as value from verify_matched
          where aggregation = 'unique_count' and text_value is not null),
        removed as (
          delete from usage_rollup_values s where ${window}
            and not exists (select 1 from recomputed r where (r.meter_id, r.subject, r.window_start, r.dimensions, r.value) = (s.meter_id, s.subject, s.window_start, s.dimensions, s.value))
          returning 1
        )
        insert into usage_rollup_values (meter_id, subject, window_start, dimensions, value)
        select meter_id, subject, window_start, dimensions, value from recomputed
        on conflict do nothing`,
  );
  return Number(repaired?.windows ?? 0);
}

function toDifference(row: Record<string, unknown>): RollupDifference {
  const state = (prefix: "s" | "r"): RollupState | null =>
    row[`${prefix}_events`] === null
      ? null
      : {
          events: Number(row[`${prefix}_events`]),
          sumValue: (row[`${prefix}_sum`] as string | null) ?? null,
          maxValue: (row[`${prefix}_max`] as string | null) ?? null,
          latestValue: (row[`${prefix}_latest`] as string | null) ?? null,
        };
  return {
    meterId: String(row.meter_id),
    subject: String(row.subject),
    windowStart: new Date(row.window_start as string),
    dimensions: row.dimensions as Record<string, string | null>,
    stored: state("s"),
    recomputed: state("r"),
  };
}
