import { sql, type SQL } from "drizzle-orm";

/*
 * The one definition of what a meter counts, shared by the continuous rollup
 * (rollUpPending), the backfill of new meters and the verification (verifyRollups), so a
 * recomputation from raw events can only differ from the rollups if the rollups are wrong.
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
