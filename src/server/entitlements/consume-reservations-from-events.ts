import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { matchedEventsSql } from "@/server/metering/rollup-sql";

/** This consumer's own position in the event stream (a row in metering's cursor table, by name). */
export const reservationCursorName = "entitlements:reservations";
export const consumeClaimEventsMax = 20_000;

export type ConsumeReservationsFromEventsResult = { claimed: boolean; events: number; consumed: number };

/**
 * Settles the holds named by ingested usage events: an event whose `data.reservation_id` (or
 * `data.reservationId`) is a pending reservation of the same customer consumes it, recording the
 * event's quantity for the reservation's meter (1 for a count meter). Ingestion itself is not
 * touched: like the rollup worker, this follows the event stream in (txid, seq) order from its
 * own cursor, claiming only events older than every running transaction, so none is skipped;
 * cursor row FOR UPDATE SKIP LOCKED lets several instances run it safely. Until the event is
 * consumed, both the event and its hold count, so the interval errs on the side of refusing.
 */
export async function consumeReservationsFromEvents(db: Db, options: { limit?: number } = {}): Promise<ConsumeReservationsFromEventsResult> {
  const limit = Math.min(Math.max(options.limit ?? 5_000, 1), consumeClaimEventsMax);
  await executeRows(db, sql`insert into metering_cursors (name) values (${reservationCursorName}) on conflict do nothing`);
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [cursor] = await executeRows<{ last_txid: string; last_seq: string }>(
      tx,
      sql`select last_txid::text as last_txid, last_seq::text as last_seq from metering_cursors
          where name = ${reservationCursorName} for update skip locked`,
    );
    if (!cursor) return { claimed: false, events: 0, consumed: 0 };
    const [row] = await executeRows<{ events: string | number; consumed: string | number }>(
      tx,
      sql`
        with claimed as materialized (
          select seq, txid, source, event_id, type, subject, customer_id, occurred_at, data from usage_events
          where (txid, seq) > (${cursor.last_txid}::xid8, ${cursor.last_seq}::bigint)
            and txid < pg_snapshot_xmin(pg_current_snapshot())
          order by txid, seq limit ${limit}
        ),
        carrying as materialized (
          select *, coalesce(data ->> 'reservation_id', data ->> 'reservationId') as reservation_text from claimed
          where data ? 'reservation_id' or data ? 'reservationId'
        ),
        valid as materialized (
          select seq, source, event_id, type, subject, customer_id, occurred_at, data, reservation_text::uuid as reservation_id
          from carrying
          where reservation_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        ),
        matched as materialized (${matchedEventsSql(sql`valid`)}),
        consumed as (
          update entitlement_reservations r set
            status = 'consumed',
            settled_at = now(),
            consumed_by_event = v.source || '/' || v.event_id,
            consumed_quantity = coalesce((
              select case when m.aggregation = 'count' then 1::numeric else mt.num_value end
              from matched mt join catalog_meters m on m.id = mt.meter_id
              where mt.seq = v.seq and m.key = r.meter_key limit 1), r.quantity)
          from valid v
          where r.id = v.reservation_id and r.status = 'pending' and r.customer_id = v.customer_id
          returning r.id
        ),
        last_claimed as (select txid, seq from claimed order by txid desc, seq desc limit 1),
        moved as (
          update metering_cursors c set last_txid = l.txid, last_seq = l.seq, updated_at = now()
          from last_claimed l where c.name = ${reservationCursorName}
          returning 1
        )
        select (select count(*) from claimed) as events, (select count(*) from consumed) as consumed`,
    );
    return { claimed: true, events: Number(row?.events ?? 0), consumed: Number(row?.consumed ?? 0) };
  });
}
