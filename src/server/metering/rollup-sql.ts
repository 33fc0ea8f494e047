import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

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
           case when m.aggregation in ('sum', 'max', 'latest') then case jsonb_typeof(property.value)
             when 'number' then property.value::numeric
             when 'string' then case when property.value #>> '{}' ~ '^-?[0-9]{1,30}(\\.[0-9]{1,30})?$' then (property.value #>> '{}')::numeric end
           end end as num_value,
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
 * matchedEventsSql for a fixed list of meters, generated per meter (its type, paths and
 * filter values as parameters) instead of joining the catalog and walking each meter's
 * filters and group-by per row: the same rows, column for column, at a fraction of the cost.
 * The rollup claim uses it; verifyRollups recomputes with the generic matchedEventsSql, so
 * the two definitions check each other. `events` as for matchedEventsSql.
 */
export function compiledMatchedEventsSql(events: SQL, meters: readonly CompiledMeter[]): SQL {
  if (meters.length === 0) {
    return sql`select null::uuid as meter_id, null::text as aggregation, null::text as subject, null::timestamptz as window_start,
      null::jsonb as dimensions, null::numeric as num_value, null::text as text_value, null::timestamptz as occurred_at, null::bigint as seq
      where false`;
  }
  return sql.join(
    meters.map((meter) => sql`(${compiledMeterSql(events, meter)})`),
    sql` union all `,
  );
}

function compiledMeterSql(events: SQL, meter: CompiledMeter): SQL {
  const path = (dotted: string | null) => sql`string_to_array(${dotted}::text, '.')`;
  const dimensions =
    meter.groupBy.length === 0
      ? sql`'{}'::jsonb`
      : sql.join(
          chunk(meter.groupBy, 50).map(
            (keys) => sql`jsonb_build_object(${sql.join(keys.map((key) => sql`${key}::text, e.data #>> ${path(key)}`), sql`, `)})`,
          ),
          sql` || `,
        );
  const value = sql`(e.data #> ${path(meter.valuePath)})`;
  const numeric = ["sum", "max", "latest"].includes(meter.aggregation)
    ? sql`case jsonb_typeof(${value})
        when 'number' then ${value}::numeric
        when 'string' then case when ${value} #>> '{}' ~ '^-?[0-9]{1,30}(\\.[0-9]{1,30})?$' then (${value} #>> '{}')::numeric end
      end`
    : sql`null::numeric`;
  const text = meter.aggregation === "unique_count" ? sql`${value} #>> '{}'` : sql`null::text`;
  const filters = meter.filters.map((filter) => {
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
  return sql`
    select ${meter.id}::uuid as meter_id, ${meter.aggregation}::text as aggregation, e.subject,
           date_trunc('hour', e.occurred_at, 'UTC') as window_start,
           ${dimensions} as dimensions, ${numeric} as num_value, ${text} as text_value, e.occurred_at, e.seq
    from ${events} e
    where e.type = ${meter.eventType}::text${sql.join(filters.map((filter) => sql` and ${filter}`), sql``)}`;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * windowAggregatesSql with the latest meters apart: only they need their events ordered
 * (array_agg ... order by forces a sort per group), so every other window is a hash aggregate.
 * The same rows as windowAggregatesSql.
 */
export function claimWindowAggregatesSql(matched: SQL): SQL {
  return sql`
    select meter_id, subject, window_start, dimensions, count(*)::bigint as events, sum(num_value) as sum_value,
           max(num_value) as max_value, null::numeric as latest_value, null::timestamptz as latest_at, null::bigint as latest_seq
    from ${matched} matched where aggregation <> 'latest'
    group by meter_id, subject, window_start, dimensions
    union all
    ${windowAggregatesSql(sql`(select * from ${matched} matched where aggregation = 'latest')`)}`;
}
