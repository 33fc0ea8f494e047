import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemClock, type Clock } from "@/server/clock";
import { ingestLimits } from "./ingest-limits";

/**
 * How long a dedup key is kept after its event's time: the lateness window plus a day. Any
 * event older than the lateness window is refused `too_late` before its key is looked at, so
 * once a key is this old no retry of its event can reach the dedup check again: pruning it can
 * never let an event count twice. The day covers clock skew between servers.
 */
export const eventKeyRetentionMs = ingestLimits.latenessMsMax + 24 * 3_600_000;

const batchSizeDefault = 10_000;
const batchesMaxDefault = 1_000;

export type PruneEventKeysResult = { cutoff: Date; deleted: number; batches: number; complete: boolean };

/**
 * Deletes the dedup keys of events older than the retention (usage_event_keys would otherwise
 * grow forever, one row per event ever accepted). In batches, each its own statement, so a
 * large backlog never holds locks or a snapshot for long; at most `batchesMax` batches per run
 * (`complete: false` when more remain; the next run continues). The raw events themselves stay
 * in their monthly partitions.
 */
export async function pruneEventKeys(
  db: Db,
  options: { clock?: Clock; batchSize?: number; batchesMax?: number } = {},
): Promise<PruneEventKeysResult> {
  const cutoff = new Date((options.clock ?? systemClock).now().getTime() - eventKeyRetentionMs);
  const batchSize = Math.min(Math.max(options.batchSize ?? batchSizeDefault, 1), 100_000);
  const batchesMax = Math.min(Math.max(options.batchesMax ?? batchesMaxDefault, 1), 100_000);
  let deleted = 0;
  for (let batch = 1; batch <= batchesMax; batch++) {
    const [row] = await executeRows<{ deleted: string | number }>(
      db,
      sql`with doomed as (
            delete from usage_event_keys
            where ctid = any(array(select ctid from usage_event_keys where occurred_at < ${cutoff.toISOString()}::timestamptz limit ${batchSize}))
            returning 1
          )
          select count(*) as deleted from doomed`,
    );
    const count = Number(row?.deleted ?? 0);
    deleted += count;
    if (count < batchSize) return { cutoff, deleted, batches: batch, complete: true };
  }
  return { cutoff, deleted, batches: batchesMax, complete: false };
}
