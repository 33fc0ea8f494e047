import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { matchedEventsSql, rollupCursorName } from "@/server/metering/rollup-sql";
import { checkUsageQuantity, type UsageQuantityProblem } from "@/server/metering/usage-quantity";
import type { MeterInfo } from "./entitlement-definition";
import { executeCompiledRows } from "@/db/execute-prepared";

export type MeterUsage = {
  meterKey: string;
  /** The meter's value over the period (exact decimal string). */
  quantity: string;
  /** Per group-by dimension values, for rating. */
  groups: { dimensions: Record<string, string | null>; quantity: string }[];
  /**
   * Set when a total cannot be rated (rollups written before values were checked, see
   * usage-quantity.ts): the quantities are then a best reading ("0" when negative), and a
   * decision that needs the spend treats it as past any limit.
   */
  problem?: UsageQuantityProblem;
};

const hourMs = 3_600_000;
/** A customer's meter has a few dimension combinations (models); the bound keeps a check small. */
const rowsMax = 5_000;

export type PeriodUsageInput = { subject: string; meters: readonly MeterInfo[]; start: Date; end: Date };

export type PeriodUsageRow = {
  meter_id: string;
  dimensions: Record<string, string | null> | null;
  is_total: number | string;
  events: string | null;
  sum_value: string | null;
  max_value: string | null;
  latest_value: string | null;
  unique_values: string | null;
};

/**
 * A customer's usage of `meters` in [start, end), exact as of this statement: whole hours from
 * the rollups plus the events the rollup worker has not claimed yet (past its (txid, seq)
 * cursor), read in one statement so both come from one snapshot and no event counts twice or
 * not at all. When the period does not start or end on a whole hour (an anchor off the hour),
 * the partial hours are counted from raw events instead of their rollup windows.
 */
export async function readPeriodUsage(db: Db, input: PeriodUsageInput): Promise<Map<string, MeterUsage>> {
  if (input.meters.length === 0) return new Map();
  const { shape, values } = periodUsageParts(input);
  const rows = await executeCompiledRows<PeriodUsageRow>(db, `period-usage:${periodUsageShapeKey(shape)}`, () => periodUsageSql(shape), values);
  return parsePeriodUsage(input, rows);
}

/**
 * Which raw-event ranges a period needs: the whole hours inside it, and a partial hour before and
 * after them; `prefix`: the whole hours before the prefix's end come from a cached prefix (see
 * usage-prefix-cache.ts) plus the subject's events past the prefix's cursor.
 */
export type PeriodUsageShape = { inner: boolean; head: boolean; tail: boolean; prefix?: boolean };

export function periodUsageShapeKey(shape: PeriodUsageShape): string {
  return `${shape.inner ? "i" : ""}${shape.head ? "h" : ""}${shape.tail ? "t" : ""}${shape.prefix ? "p" : ""}`;
}

/**
 * The aggregate of the rollups of (subject, meters) for the whole hours [innerStart, end), read
 * in one statement with the rollup cursor (so it holds exactly the events at or before that
 * cursor in those hours) and the rollup history generation (bumped by every rewrite of past
 * rollups other than the claim's). All values as PostgreSQL's text, so they round-trip exactly.
 */
export type UsagePrefix = {
  innerStart: string;
  end: string;
  cursorTxid: string;
  cursorSeq: string;
  generation: string;
  /**
   * The groups as PostgreSQL's JSON text (kept as text: it goes back as a placeholder on every
   * check): [{meter_id, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq}].
   */
  rowsJson: string;
};

/** The whole hours of a period: [innerStart, innerEnd) (empty when the period holds no whole hour). */
export function wholeHours(input: Pick<PeriodUsageInput, "start" | "end">): { innerStart: Date; innerEnd: Date } {
  const innerStart = new Date(Math.ceil(input.start.getTime() / hourMs) * hourMs);
  const innerEnd = new Date(Math.max(innerStart.getTime(), Math.floor(input.end.getTime() / hourMs) * hourMs));
  return { innerStart, innerEnd };
}

/**
 * The shape of the statement for `input` and the values of its placeholders (all named `usage_*`).
 * A `prefix` is used only when it covers this period's whole hours from their start (the caller
 * checks it is current: usage-prefix-cache.ts).
 */
export function periodUsageParts(input: PeriodUsageInput, prefix?: UsagePrefix): { shape: PeriodUsageShape; values: Record<string, unknown> } {
  const { innerStart, innerEnd } = wholeHours(input);
  const inner = innerEnd > innerStart;
  const headEnd = inner ? innerStart : input.end;
  const usable = prefix !== undefined && inner && prefix.innerStart === innerStart.toISOString() && new Date(prefix.end) <= innerEnd;
  return {
    shape: { inner, head: headEnd > input.start, tail: inner && input.end > innerEnd, ...(usable ? { prefix: true } : {}) },
    values: {
      ...(usable
        ? {
            usage_prefix_rows: prefix.rowsJson,
            usage_prefix_end: prefix.end,
            usage_prefix_txid: prefix.cursorTxid,
            usage_prefix_seq: prefix.cursorSeq,
          }
        : {}),
      usage_subject: input.subject,
      usage_meter_ids: `{${input.meters.map((meter) => meter.id).join(",")}}`,
      usage_start: input.start.toISOString(),
      usage_inner_start: innerStart.toISOString(),
      usage_inner_end: innerEnd.toISOString(),
      usage_head_end: headEnd.toISOString(),
      usage_end: input.end.toISOString(),
    },
  };
}

/**
 * The statement behind readPeriodUsage, to run alone or inside a larger one (a check reads its
 * customer's version, usage and holds in one statement), with named placeholders for the values
 * of periodUsageParts: its text depends only on the shape, so it is built and prepared once per
 * shape.
 */
export function periodUsageSql(shape: PeriodUsageShape): SQL {
  const value = (name: string) => sql.placeholder(`usage_${name}`);
  const subject = value("subject");
  const ids = value("meter_ids");
  const eventColumns = sql`select seq, txid, type, subject, occurred_at, data from usage_events`;
  const rawParts: SQL[] = [];
  if (shape.inner && shape.prefix) {
    // The prefix holds the rollups of [inner_start, prefix_end) as of its cursor C0. The subject's
    // events past C0 in those hours are read raw (rolled up since, or not yet), by the same index;
    // from prefix_end on, the events past the current cursor, as without a prefix. Claims since C0
    // rolled up none into the prefix's hours unless they marked the subject past C0 (see
    // usagePrefixLateSql): without such a mark, the read starts at the current cursor.
    rawParts.push(sql`${eventColumns} where subject collate "C" = ${subject}
      and (txid, seq) > ((select txid from prefix_lower), (select seq from prefix_lower))
      and occurred_at >= ${value("inner_start")}::timestamptz and occurred_at < ${value("inner_end")}::timestamptz
      and (occurred_at < ${value("prefix_end")}::timestamptz
           or (txid, seq) > ((select last_txid from cursor_position), (select last_seq from cursor_position)))`);
  } else if (shape.inner) {
    // Only the subject's events past the rollup cursor, found by usage_events_subject_claim_idx
    // (subject collate "C", txid, seq): the collation picks that index (see its migration), and the
    // cursor as two scalar values makes the row comparison an index condition (against a row
    // subquery PostgreSQL filters every event of the period instead).
    rawParts.push(sql`${eventColumns} where subject collate "C" = ${subject}
      and (txid, seq) > ((select last_txid from cursor_position), (select last_seq from cursor_position))
      and occurred_at >= ${value("inner_start")}::timestamptz and occurred_at < ${value("inner_end")}::timestamptz`);
  }
  // Partial hours (an anchor off the hour): the subject's events in that part of the hour, by
  // usage_events_subject_time_idx (subject, occurred_at), never the hour's events of everyone.
  if (shape.head) {
    rawParts.push(sql`${eventColumns} where subject = ${subject}
      and occurred_at >= ${value("start")}::timestamptz and occurred_at < ${value("head_end")}::timestamptz`);
  }
  if (shape.tail) {
    rawParts.push(sql`${eventColumns} where subject = ${subject}
      and occurred_at >= ${value("inner_end")}::timestamptz and occurred_at < ${value("end")}::timestamptz`);
  }
  if (rawParts.length === 0) rawParts.push(sql`${eventColumns} where false`);
  const rollupScope = sql`meter_id = any(${ids}::uuid[]) and subject = ${subject}
    and window_start >= ${value("inner_start")}::timestamptz and window_start < ${value("inner_end")}::timestamptz`;
  // With a prefix, the rollups of its hours are its rows. The distinct values of unique_count
  // meters are not in it: they are read over every whole hour, and the raw events past C0 that
  // are also rolled up count once anyway (a distinct count ignores repeats).
  const countedRollupScope = shape.prefix
    ? sql`meter_id = any(${ids}::uuid[]) and subject = ${subject}
    and window_start >= ${value("prefix_end")}::timestamptz and window_start < ${value("inner_end")}::timestamptz`
    : rollupScope;
  const prefixRows = shape.prefix
    ? sql`
        union all
        select p.meter_id, p.dimensions, p.events, p.sum_value, p.max_value, p.latest_value, p.latest_at, p.latest_seq, null::text
        from json_to_recordset(${value("prefix_rows")}::json) as p(meter_id uuid, dimensions jsonb, events numeric, sum_value numeric,
          max_value numeric, latest_value numeric, latest_at timestamptz, latest_seq bigint)`
    : sql``;
  return sql`
      with cursor_position as (
        select coalesce((select last_txid from metering_cursors where name = ${rollupCursorName}), '0'::xid8) as last_txid,
               coalesce((select last_seq from metering_cursors where name = ${rollupCursorName}), 0::bigint) as last_seq
      ),
${
        shape.prefix
          ? sql`
      prefix_lower as materialized (
        select case when late then ${value("prefix_txid")}::xid8 else c.last_txid end as txid,
               case when late then ${value("prefix_seq")}::bigint else c.last_seq end as seq
        from cursor_position c, (select ${usagePrefixLateSql()} as late) l
      ),`
          : sql``
      }
      raw as materialized (${sql.join(rawParts, sql` union all `)}),
      matched as materialized (${matchedEventsSql(sql`raw`)}),
      contributions as (
        select meter_id, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq, null::text as text_value
        from usage_rollups where ${countedRollupScope}${prefixRows}
        union all
        select meter_id, dimensions, 0, null, null, null, null, null, value from usage_rollup_values where ${rollupScope}
        union all
        select meter_id, dimensions, 1, num_value, num_value, case when aggregation = 'latest' then num_value end,
               occurred_at, seq, text_value
        from matched where meter_id = any(${ids}::uuid[])
      )
      select meter_id, dimensions, grouping(dimensions) as is_total,
             sum(events)::text as events, sum(sum_value)::text as sum_value, max(max_value)::text as max_value,
             (array_agg(latest_value order by latest_at desc, latest_seq desc) filter (where latest_value is not null))[1]::text as latest_value,
             count(distinct text_value)::text as unique_values
      from contributions
      group by grouping sets ((meter_id, dimensions), (meter_id))
      limit ${rowsMax + 1}`;
}

/**
 * Whether a claim since the prefix's cursor C0 rolled up an event of the subject into an hour
 * sealed when it claimed it (metering_late_marks): only then can events past C0 be in the
 * prefix's hours, which end at or before the sealed_before the prefix read with C0.
 */
export function usagePrefixLateSql(): SQL {
  const value = (name: string) => sql.placeholder(`usage_${name}`);
  return sql`coalesce((select (m.late_txid, m.late_seq) > (${value("prefix_txid")}::xid8, ${value("prefix_seq")}::bigint)
                       from metering_late_marks m where m.subject = ${value("subject")}), false)`;
}

/** Usage by meter key from the rows of periodUsageSql (every meter present, zero when unused). */
export function parsePeriodUsage(input: PeriodUsageInput, rows: readonly PeriodUsageRow[]): Map<string, MeterUsage> {
  const result = new Map<string, MeterUsage>();
  if (rows.length > rowsMax) throw new Error(`readPeriodUsage: more than ${rowsMax} usage groups for ${input.subject}`);
  const metersById = new Map(input.meters.map((meter) => [meter.id, meter]));
  for (const meter of input.meters) result.set(meter.key, { meterKey: meter.key, quantity: "0", groups: [] });
  for (const row of rows) {
    const meter = metersById.get(row.meter_id);
    const usage = meter && result.get(meter.key);
    if (!meter || !usage) continue;
    const { quantity, problem } = checkUsageQuantity(quantityOf(meter, row));
    if (problem) usage.problem = problem;
    if (Number(row.is_total) === 1) usage.quantity = quantity;
    else usage.groups.push({ dimensions: row.dimensions ?? {}, quantity });
  }
  return result;
}

function quantityOf(meter: MeterInfo, row: PeriodUsageRow): string | null {
  return (() => {
    switch (meter.aggregation) {
      case "count":
        return row.events;
      case "sum":
        return row.sum_value;
      case "max":
        return row.max_value;
      case "latest":
        return row.latest_value;
      case "unique_count":
        return row.unique_values;
    }
  })();
}
