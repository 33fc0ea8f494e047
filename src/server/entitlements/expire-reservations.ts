import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemClock, type Clock } from "@/server/clock";

export const expireReservationsBatchMax = 5_000;

/**
 * Marks pending holds past their time-to-live as expired, at most `limit` per call (oldest
 * first; SKIP LOCKED so several workers share the work). Checks already ignore such holds, so
 * this only tidies the state; it is not on the path of correctness.
 */
export async function expireReservations(db: Db, options: { clock?: Clock; limit?: number } = {}): Promise<number> {
  const now = (options.clock ?? systemClock).now().toISOString();
  const limit = Math.min(Math.max(options.limit ?? 1_000, 1), expireReservationsBatchMax);
  const rows = await executeRows<{ id: string }>(
    db,
    sql`update entitlement_reservations set status = 'expired', settled_at = ${now}::timestamptz
        where id in (
          select id from entitlement_reservations
          where status = 'pending' and expires_at <= ${now}::timestamptz
          order by expires_at limit ${limit} for update skip locked)
        and status = 'pending'
        returning id`,
  );
  return rows.length;
}
