import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { UsageSeries } from "./detectors/usage";
import { addDays, dayMs } from "./robust";

/**
 * Refreshes `anomaly_usage_days` for the UTC days [fromDay, toDay] from metering's hourly rollups
 * (a BRIN range on their window_start): quantity by the meter's aggregation, events, and the
 * bitmask of hours with events. Idempotent: a day is recomputed whole.
 *
 * Every aggregate here can be hashed and combined (no `array_agg(... order by)`): a `latest` meter's
 * day takes the value of its newest hour by the largest (latest_at, latest_seq, value) triple, and
 * each meter-specific aggregate is filtered to its own meters. With the statement's own work_mem
 * PostgreSQL hashes the days in memory instead of sorting the window's rollups to disk (0.66–0.70 s
 * against 1.15–2.18 s for 310,000 rollups in a side-by-side EXPLAIN ANALYZE).
 */
export async function refreshUsageDays(db: Db, input: { fromDay: string; toDay: string; now: Date }): Promise<number> {
  const from = `${input.fromDay}T00:00:00Z`;
  const to = `${addDays(input.toDay, 1)}T00:00:00Z`;
  const rows = await db.transaction(async (tx) => {
    await executeRows(tx, sql`set local work_mem = '64MB'`);
    return executeRows<{ count: string | number }>(
      tx,
      sql`with days as (
            select r.meter_id, r.subject, (r.window_start at time zone 'UTC')::date as day,
                   case min(m.aggregation)
                     when 'sum' then coalesce(sum(r.sum_value) filter (where m.aggregation = 'sum'), 0)
                     when 'max' then coalesce(max(r.max_value) filter (where m.aggregation = 'max'), 0)
                     when 'latest' then coalesce((max(array[coalesce(extract(epoch from r.latest_at), -1e18), coalesce(r.latest_seq, -1)::numeric, r.latest_value])
                                                  filter (where m.aggregation = 'latest'))[3], 0)
                     else sum(r.events)
                   end as quantity,
                   sum(r.events) as events,
                   coalesce(bit_or(1 << extract(hour from r.window_start at time zone 'UTC')::int) filter (where r.events > 0), 0) as active_hours
            from usage_rollups r join catalog_meters m on m.id = r.meter_id
            where r.window_start >= ${from}::timestamptz and r.window_start < ${to}::timestamptz
            group by r.meter_id, r.subject, 3
          ), upserted as (
            insert into anomaly_usage_days (meter_id, subject, day, quantity, events, active_hours, refreshed_at)
            select meter_id, subject, day, quantity, events, active_hours, ${input.now.toISOString()}::timestamptz from days
            on conflict (meter_id, subject, day) do update set
              quantity = excluded.quantity, events = excluded.events, active_hours = excluded.active_hours, refreshed_at = excluded.refreshed_at
            where (anomaly_usage_days.quantity, anomaly_usage_days.events, anomaly_usage_days.active_hours)
                  is distinct from (excluded.quantity, excluded.events, excluded.active_hours)
            returning 1
          )
          select count(*) as count from upserted`,
    );
  });
  return Number(rows[0]?.count ?? 0);
}

export type UsageSeriesPage = { series: (UsageSeries & { meterId: string })[]; next: { meterId: string; subject: string } | null };

/**
 * One page of customer × meter daily series over [fromDay, toDay], for customers only (unknown
 * subjects are evidence, not series). Keyset paging on (meter, subject) so a run streams through
 * any number of customers in bounded memory; each series comes as one JSON array (parsed natively).
 */
export async function readUsageSeriesPage(
  db: Db,
  input: { fromDay: string; toDay: string; after: { meterId: string; subject: string } | null; limit: number; customerIds?: readonly string[] },
): Promise<UsageSeriesPage> {
  const after = input.after === null ? sql`true` : sql`(d.meter_id, d.subject) > (${input.after.meterId}::uuid, ${input.after.subject})`;
  const only = input.customerIds === undefined ? sql`true` : sql`c.id = any(${`{${input.customerIds.join(",")}}`}::uuid[])`;
  const rows = await executeRows<{ meter_id: string; meter_key: string; subject: string; customer_id: string; days: string | [number, number, number, number][] }>(
    db,
    sql`select d.meter_id, min(m.key) as meter_key, d.subject, min(c.id::text) as customer_id,
               json_agg(json_build_array(d.day - date '1970-01-01', d.quantity::float8, d.events, d.active_hours) order by d.day)::text as days
        from anomaly_usage_days d
        join customers c on c.external_id = d.subject
        join catalog_meters m on m.id = d.meter_id
        where d.day >= ${input.fromDay}::date and d.day <= ${input.toDay}::date and ${after} and ${only}
        group by d.meter_id, d.subject
        order by d.meter_id, d.subject
        limit ${input.limit}`,
  );
  const series = rows.map((row) => {
    const days = (typeof row.days === "string" ? JSON.parse(row.days) : row.days) as [number, number, number, number][];
    return {
      key: `${row.customer_id}:${row.meter_key}`,
      customerId: row.customer_id,
      subject: row.subject,
      meterKey: row.meter_key,
      meterId: row.meter_id,
      days: days.map(([day, quantity, events, activeHours]) => ({ day: new Date(day * dayMs).toISOString().slice(0, 10), quantity, events, activeHours })),
    };
  });
  const last = rows[rows.length - 1];
  return { series, next: rows.length === input.limit && last ? { meterId: last.meter_id, subject: last.subject } : null };
}
