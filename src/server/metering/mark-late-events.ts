import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type MarkLateEventsInput = {
  customerId: string;
  /** End (exclusive) of the last invoiced period. */
  invoicedThrough: Date;
  /** When that invoice was finalized: events ingested after it for earlier periods are late. */
  invoicedAt: Date;
};

/**
 * The hook for invoicing: flags events that arrived after a period was invoiced for time
 * inside it, so they are billed as a late-usage line on the next invoice instead of
 * rewriting a finalized one. Rollups still include them in their own window.
 *
 * Not yet done: there is no `invoiced_through` per customer for ingestion to consult, so
 * ingestion never marks events late itself; invoicing must call this after finalizing (and
 * periodically for events arriving later), until that column exists.
 */
export async function markLateEvents(db: Db, input: MarkLateEventsInput): Promise<{ marked: number }> {
  const rows = await executeRows<{ count: string | number }>(
    db,
    sql`with marked as (
          update usage_events set late = true
          where customer_id = ${input.customerId}
            and occurred_at < ${input.invoicedThrough.toISOString()}::timestamptz
            and occurred_at >= ${input.invoicedThrough.toISOString()}::timestamptz - interval '36 days'
            and ingested_at > ${input.invoicedAt.toISOString()}::timestamptz
            and not late
          returning 1)
        select count(*) as count from marked`,
  );
  return { marked: Number(rows[0]?.count ?? 0) };
}
