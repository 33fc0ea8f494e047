import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { timestamptzArray, uuidArray } from "@/server/ledger/sql-arrays";
import { rollupCursorName } from "./rollup-sql";

export type InvoicedUsage = { customerId: string; invoicedThrough: Date };

/**
 * Called by invoicing in the transaction that finalizes invoices: moves each customer's
 * `usage_invoiced_through` forward (never back), so that ingestion marks later-arriving events
 * for invoiced time `late`, and marks `late` the events already stored for that time that the
 * invoice could not include because the rollup had not reached them yet (they are past the
 * rollup cursor). Those are found through the claim index: only the few events past the cursor
 * are read, however many a customer has.
 *
 * The flag tells people which usage arrived after its period was billed; billing does not rely
 * on it (invoicing bills late usage from the difference between the rollups and what it already
 * billed). An event whose ingestion commits while the close runs may miss the flag.
 */
export async function markInvoicedUsage(db: Db, invoiced: readonly InvoicedUsage[]): Promise<{ marked: number }> {
  if (invoiced.length === 0) return { marked: 0 };
  // The cursor as values, not a subquery: planned with them, the update walks the claim index
  // from the cursor (a few rows) instead of scanning every partition for the customers' events.
  const [cursor] = await executeRows<{ last_txid: string; last_seq: string }>(
    db,
    sql`select coalesce(max(last_txid), '0'::xid8)::text as last_txid, coalesce(max(last_seq), 0)::text as last_seq
        from metering_cursors where name = ${rollupCursorName}`,
  );
  const [row] = await executeRows<{ marked: string | number }>(
    db,
    sql`with invoiced as (
          select customer_id, max(through) as through
          from unnest(${uuidArray(invoiced.map((item) => item.customerId))}, ${timestamptzArray(invoiced.map((item) => item.invoicedThrough))}) as x(customer_id, through)
          group by customer_id
        ),
        moved as (
          update customers c set usage_invoiced_through = i.through
          from invoiced i
          where c.id = i.customer_id and (c.usage_invoiced_through is null or c.usage_invoiced_through < i.through)
          returning 1
        ),
        marked as (
          update usage_events e set late = true
          from invoiced i
          where e.customer_id = i.customer_id and e.occurred_at < i.through and not e.late
            and (e.txid, e.seq) > (${cursor!.last_txid}::xid8, ${cursor!.last_seq}::bigint)
          returning 1
        )
        select (select count(*) from marked) as marked`,
  );
  return { marked: Number(row?.marked ?? 0) };
}
