import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { MeterAggregation } from "@/db/schema";
import { checkUsageQuantity, usageOutOfRange } from "@/server/metering/usage-quantity";
import { arrayLiteral, textArray, timestamptzArray, uuidArray } from "@/server/ledger/sql-arrays";

/** One meter of one customer over one window of whole rollup hours [start, end). */
export type UsageTarget = {
  subject: string;
  meterId: string;
  /** For messages: the meter's key (its id when absent). */
  meterKey?: string;
  aggregation: MeterAggregation;
  /** Group by this dimension's value (the price's override dimension); null = the whole meter. */
  ratingDimension: string | null;
  start: Date;
  end: Date;
};

export type UsageGroup = {
  /** The rating dimension's value; null when the meter is one group or the events lacked the dimension. */
  value: string | null;
  /** Exact decimal string: the meter's aggregation over every rollup hour of the window. */
  quantity: string;
  /** The first rollup hour with usage of this group (the allowance goes to groups in order of first use). */
  firstUse: Date;
};

/** Targets per statement: each is an index range scan of the rollups' primary key. */
export const usageTargetsPerQueryMax = 5_000;
const groupsPerTargetMax = 500;

type Row = { target: number; value: string | null; first_use: string | Date; quantity: string | null };

/**
 * The usage of many (customer, meter, window) targets in one set-based statement over metering's
 * hourly rollups, grouped by the rating dimension, exact for every aggregation: count sums the
 * hours' event counts, sum their sums, max takes the max, latest the value of the latest event
 * (by event time, then ingestion order), and unique_count counts the distinct values stored per
 * hour in `usage_rollup_values` across the whole window (not a sum of hourly counts).
 * Returns the groups per target, in target order. Throws `usage_out_of_range` (DomainError) for a
 * total that cannot be billed (see usage-quantity.ts).
 */
export async function readUsageGroups(db: Db, targets: readonly UsageTarget[]): Promise<UsageGroup[][]> {
  if (targets.length > usageTargetsPerQueryMax) throw new RangeError(`readUsageGroups: at most ${usageTargetsPerQueryMax} targets per call`);
  const result: UsageGroup[][] = targets.map(() => []);
  if (targets.length === 0) return result;
  for (const target of targets) {
    if (target.start.getTime() % 3_600_000 !== 0 || target.end.getTime() % 3_600_000 !== 0) {
      throw new RangeError("readUsageGroups: windows must be whole rollup hours");
    }
  }
  const scope = (table: "usage_rollups" | "usage_rollup_values") =>
    sql`${sql.raw(table)} r on r.meter_id = t.meter_id and r.subject = t.subject and r.window_start >= t.start_at and r.window_start < t.end_at`;
  const rows = await executeRows<Row>(
    db,
    sql`with t as (
          select * from unnest(
            ${sql`${arrayLiteral(targets.map((_, index) => index))}::int4[]`},
            ${textArray(targets.map((target) => target.subject))},
            ${uuidArray(targets.map((target) => target.meterId))},
            ${textArray(targets.map((target) => target.ratingDimension))},
            ${textArray(targets.map((target) => target.aggregation))},
            ${timestamptzArray(targets.map((target) => target.start))},
            ${timestamptzArray(targets.map((target) => target.end))}
          ) as t(target, subject, meter_id, dimension, aggregation, start_at, end_at)
        )
        select t.target, r.dimensions ->> t.dimension as value, min(r.window_start) as first_use,
               (case min(t.aggregation)
                  when 'count' then sum(r.events)
                  when 'sum' then sum(r.sum_value)
                  when 'max' then max(r.max_value)
                  when 'latest' then (array_agg(r.latest_value order by r.latest_at desc, r.latest_seq desc)
                                        filter (where t.aggregation = 'latest' and r.latest_at is not null))[1]
                end)::text as quantity
        from t join ${scope("usage_rollups")}
        where t.aggregation <> 'unique_count'
        group by 1, 2
        union all
        select t.target, r.dimensions ->> t.dimension, min(r.window_start), count(distinct r.value)::text
        from t join ${scope("usage_rollup_values")}
        where t.aggregation = 'unique_count'
        group by 1, 2`,
  );
  for (const row of rows) {
    const groups = result[row.target];
    if (!groups) throw new Error(`readUsageGroups: unexpected target ${row.target}`);
    if (groups.length >= groupsPerTargetMax) throw new Error(`readUsageGroups: more than ${groupsPerTargetMax} groups for one meter of ${targets[row.target]?.subject}`);
    const target = targets[row.target]!;
    // A total no meter could reach today (rollups written before values were checked) is not billed: the close records the failure.
    const { quantity, problem } = checkUsageQuantity(row.quantity);
    if (problem) throw usageOutOfRange({ subject: target.subject, meterKey: target.meterKey ?? target.meterId, quantity: row.quantity ?? "", problem });
    groups.push({ value: row.value, quantity, firstUse: new Date(row.first_use) });
  }
  for (const groups of result) groups.sort(compareGroups);
  return result;
}

/** Allowance order: the group used first takes the allowance first; ties by value, missing last. */
export function compareGroups(left: UsageGroup, right: UsageGroup): number {
  const time = left.firstUse.getTime() - right.firstUse.getTime();
  if (time !== 0) return time;
  if (left.value === right.value) return 0;
  if (left.value === null) return 1;
  if (right.value === null) return -1;
  return left.value < right.value ? -1 : 1;
}
