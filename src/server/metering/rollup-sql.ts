import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ingestLimits } from "./ingest-limits";

/*
 * What a meter counts. matchedEventsSql is the reference definition, used by the backfill of
 * new meters, the verification (verifyRollups) and entitlements; the continuous rollup
 * (rollUpPending) runs compiledMatchedEventsSql, the same rows generated per meter (checked
 * against the reference by rollup-sql.test.ts, the property test and every verification).
 */

/**
 * One row per (event, meter that reads it and whose filters it passes). `events` is a
 * relation with columns seq, type, subject, occurred_at, data.
 * - dimensions: group-by path → value as text (JSON null when absent);
 * - num_value: for sum, max and latest meters, the property as an exact decimal (a JSON
 *   number, or a string holding a decimal), else null;
 * - text_value: the property as text, for unique_count.
 * Filters compare the property as text; a missing property equals nothing, so it passes
 * `not_equals` and `not_in` and fails `equals` and `in`.
 */
export function matchedEventsSql(events: SQL): SQL {
  return sql`
    select m.id as meter_id, m.aggregation, e.subject,
           date_trunc('hour', e.occurred_at, 'UTC') as window_start,
           case when cardinality(m.group_by) = 0 then '{}'::jsonb
                else (select jsonb_object_agg(g, e.data #>> string_to_array(g, '.')) from unnest(m.group_by) g)
           end as dimensions,
           case when m.aggregation in ('sum', 'max', 'latest') then ${meterNumberSql(sql`property.value`)} end as num_value,
           case when m.aggregation = 'unique_count' then property.value #>> '{}' end as text_value,
           e.occurred_at, e.seq
    from ${events} e
    join catalog_meters m on m.event_type = e.type
    cross join lateral (select e.data #> string_to_array(m.value_path, '.') as value) property
    where (m.filters = '[]'::jsonb or not exists (
      select 1 from jsonb_array_elements(m.filters) f
      cross join lateral (select e.data #>> string_to_array(f->>'property', '.') as actual) p
      where not coalesce(case f->>'operator'
        when 'equals' then p.actual = f->>'value'
        when 'not_equals' then p.actual is distinct from f->>'value'
        when 'in' then p.actual in (select jsonb_array_elements_text(f->'values'))
        when 'not_in' then p.actual is null or p.actual not in (select jsonb_array_elements_text(f->'values'))
      end, false)))`;
}

/**
 * A meter's value (`value`: the jsonb at its value path) as the exact decimal sum, max and latest
 * meters aggregate: a JSON number, or a string holding a decimal, in [0, 10^15) with at most 12
 * decimal places (numeric's scale); anything else is null, as if the property were missing.
 * Ingestion refuses such values (meterValueProblem, meter-values.ts, is the same rule); this
 * keeps events stored before it did, or before their meter existed, from poisoning a total.
 */
export function meterNumberSql(value: SQL): SQL {
  const bounded = (number: SQL) =>
    sql`case when ${number} >= 0 and ${number} < ${sql.raw(ingestLimits.valueLimit)} and scale(${number}) <= ${sql.raw(String(ingestLimits.valueDecimalPlacesMax))} then ${number} end`;
  return sql`case jsonb_typeof(${value})
        when 'number' then ${bounded(sql`(${value})::numeric`)}
        when 'string' then case when ${value} #>> '{}' ~ '^-?[0-9]{1,30}(\\.[0-9]{1,30})?$' then ${bounded(sql`(${value} #>> '{}')::numeric`)} end
      end`;
}

/** Only latest meters keep their latest event (ordering a window's events costs a sort). */
const latest = sql`num_value is not null and aggregation = 'latest'`;

/** Per-window state of the aggregations, from a relation shaped like matchedEventsSql. */
export function windowAggregatesSql(matched: SQL): SQL {
  return sql`
    select meter_id, subject, window_start, dimensions,
           count(*)::bigint as events,
           sum(num_value) as sum_value,
           max(num_value) as max_value,
           (array_agg(num_value order by occurred_at desc, seq desc) filter (where ${latest}))[1] as latest_value,
           (array_agg(occurred_at order by occurred_at desc, seq desc) filter (where ${latest}))[1] as latest_at,
           (array_agg(seq order by occurred_at desc, seq desc) filter (where ${latest}))[1] as latest_seq
    from ${matched} matched
    group by meter_id, subject, window_start, dimensions`;
}

/** Events already rolled up: at or before the rollup cursor in (txid, seq) order. */
export function rolledUpSql(): SQL {
  return sql`(txid, seq) <= (select last_txid, last_seq from metering_cursors where name = ${rollupCursorName})`;
}

export const rollupCursorName = "rollup";

/** A meter as the claim needs it, with its filters' texts as PostgreSQL's `->>` reads them. */
export type CompiledMeter = {
  id: string;
  aggregation: string;
  eventType: string;
  valuePath: string | null;
  groupBy: string[];
  filters: { property: string | null; operator: string | null; value: string | null; values: (string | null)[] | null }[];
};

/** Every meter, read in the claim's transaction (after the backfill of new meters). */
export async function loadCompiledMeters(db: Db): Promise<CompiledMeter[]> {
  const rows = await executeRows<{ meter: CompiledMeter | string }>(
    db,
    sql`select jsonb_build_object(
          'id', m.id, 'aggregation', m.aggregation, 'eventType', m.event_type, 'valuePath', m.value_path,
          'groupBy', to_jsonb(m.group_by),
          'filters', coalesce((
            select jsonb_agg(jsonb_build_object(
              'property', f->>'property', 'operator', f->>'operator', 'value', f->>'value',
              'values', case when jsonb_typeof(f->'values') = 'array'
                             then (select coalesce(jsonb_agg(v), '[]'::jsonb) from jsonb_array_elements_text(f->'values') v) end)
              order by ordinality)
            from jsonb_array_elements(case when jsonb_typeof(m.filters) = 'array' then m.filters else '[]'::jsonb end)
              with ordinality as items(f, ordinality)), '[]'::jsonb)) as meter
        from catalog_meters m order by m.id`,
  );
  return rows.map((row) => (typeof row.meter === "string" ? (JSON.parse(row.meter) as CompiledMeter) : row.meter));
}

/**
 * The window aggregates of windowAggregatesSql(matchedEventsSql(events)) for a fixed list of
 * meters, generated per meter (its type, paths and filter values as parameters) instead of
 * joining the catalog and walking each meter's filters and group-by per row: the same rows,
 * column for column, at a fraction of the cost. Each meter is grouped on its own, by the text
 * of its group-by properties (its dimensions object is built once per window, not per event),
 * and only latest meters order their events. The rollup claim runs it; verifyRollups
 * recomputes with the generic definitions, so the two check each other (and rollup-sql.test.ts
 * compares them row for row). `events` as for matchedEventsSql.
 */
export function compiledWindowAggregatesSql(events: SQL, meters: readonly CompiledMeter[]): SQL {
  if (meters.length === 0) {
    return sql`select null::uuid as meter_id, null::text as subject, null::timestamptz as window_start, null::jsonb as dimensions,
      null::bigint as events, null::numeric as sum_value, null::numeric as max_value, null::numeric as latest_value,
      null::timestamptz as latest_at, null::bigint as latest_seq where false`;
  }
  return sql.join(
    meters.map((meter) => {
      const groups = meter.groupBy.map((_, index) => sql.raw(`d${index}`));
      const latestOrdered = (column: string) =>
        meter.aggregation === "latest"
          ? sql`(array_agg(${sql.raw(column)} order by occurred_at desc, seq desc) filter (where num_value is not null))[1]`
          : sql`null`;
      return sql`(select ${meter.id}::uuid as meter_id, subject, window_start, ${dimensionsSql(meter)} as dimensions,
          count(*)::bigint as events, sum(num_value) as sum_value, max(num_value) as max_value,
          ${latestOrdered("num_value")}::numeric as latest_value, ${latestOrdered("occurred_at")}::timestamptz as latest_at,
          ${latestOrdered("seq")}::bigint as latest_seq
        from (${meterEventsSql(events, meter)}) m
        group by ${sql.join([sql`subject`, sql`window_start`, ...groups], sql`, `)})`;
    }),
    sql` union all `,
  );
}

/**
 * The distinct values of each unique_count meter per window: the rows of
 * `select distinct meter_id, subject, window_start, dimensions, text_value` over
 * matchedEventsSql(events) where the aggregation is unique_count and the value is not null.
 */
export function compiledDistinctValuesSql(events: SQL, meters: readonly CompiledMeter[]): SQL {
  const unique = meters.filter((meter) => meter.aggregation === "unique_count");
  if (unique.length === 0) {
    return sql`select null::uuid as meter_id, null::text as subject, null::timestamptz as window_start, null::jsonb as dimensions,
      null::text as value where false`;
  }
  return sql.join(
    unique.map((meter) => {
      const groups = meter.groupBy.map((_, index) => sql.raw(`d${index}`));
      return sql`(select ${meter.id}::uuid as meter_id, subject, window_start, ${dimensionsSql(meter)} as dimensions, text_value as value
        from (${meterEventsSql(events, meter)}) m
        where text_value is not null
        group by ${sql.join([sql`subject`, sql`window_start`, ...groups, sql`text_value`], sql`, `)})`;
    }),
    sql` union all `,
  );
}

/** A meter's dimensions object from its group-by columns d0, d1, ... (as matchedEventsSql builds it per event). */
function dimensionsSql(meter: CompiledMeter): SQL {
  if (meter.groupBy.length === 0) return sql`'{}'::jsonb`;
  const columns = meter.groupBy.map((key, index) => ({ key, column: sql.raw(`d${index}`) }));
  return sql.join(
    chunk(columns, 50).map((keys) => sql`jsonb_build_object(${sql.join(keys.map(({ key, column }) => sql`${key}::text, ${column}`), sql`, `)})`),
    sql` || `,
  );
}

/**
 * The events one meter reads and whose filters they pass: subject, window_start (the UTC hour,
 * as date_trunc('hour', occurred_at, 'UTC') gives it, computed as arithmetic), the group-by
 * properties as text (d0, d1, ...), num_value and text_value as in matchedEventsSql, occurred_at, seq.
 */
function meterEventsSql(events: SQL, meter: CompiledMeter): SQL {
  const path = (dotted: string | null) => sql`string_to_array(${dotted}::text, '.')`;
  const groups = meter.groupBy.map((key, index) => sql`e.data #>> ${path(key)} as ${sql.raw(`d${index}`)}`);
  const value = sql`(e.data #> ${path(meter.valuePath)})`;
  const numeric = ["sum", "max", "latest"].includes(meter.aggregation)
    ? meterNumberSql(value)
    : sql`null::numeric`;
  const text = meter.aggregation === "unique_count" ? sql`${value} #>> '{}'` : sql`null::text`;
  const filters = meterFilterConditionsSql(meter);
  // date_bin from the Unix epoch is the UTC hour for every instant after 1970 (no event is
  // older: ingestion refuses events past the lateness window), and costs a third of date_trunc
  // with a time zone.
  return sql`
    select e.subject, date_bin('1 hour', e.occurred_at, timestamptz '1970-01-01 00:00:00+00') as window_start,
           ${sql.join([...groups, sql`${numeric} as num_value`, sql`${text} as text_value`], sql`, `)}, e.occurred_at, e.seq
    from ${events} e
    where e.type = ${meter.eventType}::text${sql.join(filters.map((filter) => sql` and ${filter}`), sql``)}`;
}

/**
 * A meter's filters as conditions on an event row `e` (its `data`), as matchedEventsSql applies
 * them; with `e.type = meter.eventType` they select exactly the events the meter reads.
 */
export function meterFilterConditionsSql(meter: Pick<CompiledMeter, "filters">): SQL[] {
  const path = (dotted: string | null) => sql`string_to_array(${dotted}::text, '.')`;
  return meter.filters.map((filter) => {
    const actual = sql`(e.data #>> ${path(filter.property)})`;
    const values = sql`array[${sql.join((filter.values ?? []).map((each) => sql`${each}::text`), sql`, `)}]::text[]`;
    switch (filter.operator) {
      case "equals":
        return sql`coalesce(${actual} = ${filter.value}::text, false)`;
      case "not_equals":
        return sql`(${actual} is distinct from ${filter.value}::text)`;
      case "in":
        return filter.values === null ? sql`false` : sql`coalesce(${actual} = any(${values}), false)`;
      case "not_in":
        return filter.values === null ? sql`false` : sql`coalesce(${actual} is null or ${actual} <> all(${values}), false)`;
      default:
        return sql`false`;
    }
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
