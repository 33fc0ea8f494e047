import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { bumpRollupHistory } from "./rollup-history";
import { matchedEventsSql, rolledUpSql, windowAggregatesSql } from "./rollup-sql";

/** New meters backfilled per call; the rest wait for the next claim. */
const metersPerCallMax = 5;

/**
 * A meter created after events of its type arrived would otherwise only count later events.
 * Called by rollUpPending with the cursor locked: recomputes a new meter's rollups from every
 * event already rolled up (at or before the cursor), replacing whatever the worker wrote for
 * it meanwhile, and records that it is done. Cost: one scan of the retained events (all
 * partitions) per new meter; meters are created rarely. Returns how many meters it backfilled.
 */
export async function backfillNewMeters(tx: Db): Promise<number> {
  const pending = await executeRows<{ id: string }>(
    tx,
    sql`select id from catalog_meters m
        where not exists (select 1 from metering_meter_backfills b where b.meter_id = m.id)
        order by created_at, id limit ${metersPerCallMax}`,
  );
  if (pending.length === 0) return 0;
  const meterIds = pending.map((meter) => meter.id);
  const ids = sql`${`{${meterIds.join(",")}}`}::uuid[]`;
  await bumpRollupHistory(tx);
  await executeRows(tx, sql`delete from usage_rollups where meter_id = any(${ids})`);
  await executeRows(tx, sql`delete from usage_rollup_values where meter_id = any(${ids})`);
  const events = sql`(select seq, type, subject, occurred_at, data from usage_events
    where type in (select event_type from catalog_meters where id = any(${ids})) and ${rolledUpSql()})`;
  const matched = sql`(select * from (${matchedEventsSql(events)}) all_meters where meter_id = any(${ids}))`;
  await executeRows(
    tx,
    sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq)
        ${windowAggregatesSql(matched)}`,
  );
  await executeRows(
    tx,
    sql`insert into usage_rollup_values (meter_id, subject, window_start, dimensions, value)
        select distinct meter_id, subject, window_start, dimensions, text_value from ${matched} matched
        where aggregation = 'unique_count' and text_value is not null`,
  );
  await executeRows(tx, sql`insert into metering_meter_backfills (meter_id) select unnest(${ids}) on conflict do nothing`);
  return meterIds.length;
}
