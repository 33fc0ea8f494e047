import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Clock } from "@/server/clock";

export type PruneRateLimitsResult = { deleted: number; batches: number; complete: boolean };

/**
 * Deletes the keys whose bucket is full again (their row means the same as no row), so the
 * table holds only keys used within their window: one row per active API key, sign-in address
 * or account, however many ever came. In batches, each its own statement; at most `batchesMax`
 * per run (`complete: false` when more remain).
 */
export async function pruneRateLimits(
  db: Db,
  options: { clock?: Clock; batchSize?: number; batchesMax?: number } = {},
): Promise<PruneRateLimitsResult> {
  const nowMs = options.clock ? String(options.clock.now().getTime()) : null;
  const batchSize = Math.min(Math.max(options.batchSize ?? 10_000, 1), 100_000);
  const batchesMax = Math.min(Math.max(options.batchesMax ?? 100, 1), 10_000);
  let deleted = 0;
  for (let batch = 1; batch <= batchesMax; batch++) {
    const [row] = await executeRows<{ deleted: string | number }>(
      db,
      sql`with doomed as (
            delete from rate_limits
            where ctid = any(array(
              select ctid from rate_limits
              where refill_at_ms <= coalesce(${nowMs}::numeric, extract(epoch from clock_timestamp()) * 1000)
              limit ${batchSize}
            ))
            returning 1
          )
          select count(*) as deleted from doomed`,
    );
    const count = Number(row?.deleted ?? 0);
    deleted += count;
    if (count < batchSize) return { deleted, batches: batch, complete: true };
  }
  return { deleted, batches: batchesMax, complete: false };
}
