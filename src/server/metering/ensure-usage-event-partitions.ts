import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemClock, type Clock } from "@/server/clock";

/**
 * Creates the monthly partitions of usage_events from the month before last through
 * `monthsAhead` months ahead (idempotent; the lateness window is 35 days, so the previous
 * month still receives events). Rows that fell into the default partition meanwhile are moved
 * into their month by the SQL function tally_ensure_usage_event_partitions.
 */
export async function ensureUsageEventPartitions(db: Db, options: { clock?: Clock; monthsAhead?: number } = {}): Promise<{ created: number }> {
  const now = (options.clock ?? systemClock).now();
  const monthsAhead = Math.min(Math.max(options.monthsAhead ?? 3, 1), 24);
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const rows = await executeRows<{ created: number }>(
    db,
    sql`select tally_ensure_usage_event_partitions(${from.toISOString()}::timestamptz, ${monthsAhead + 3}) as created`,
  );
  return { created: Number(rows[0]?.created ?? 0) };
}
