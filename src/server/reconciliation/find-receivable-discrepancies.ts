import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { FoundDiscrepancy } from "./discrepancy";

type Row = { customer_id: string; currency: string; account_code: string; receivable: string; open_invoices: string; open_count: string; external_id: string | null };

/**
 * Ledger receivables ↔ open invoices, per customer and currency: what the ledger says the
 * customer owes (the receivable's posted balance) must equal the totals of their finalized
 * invoices not yet paid, voided or written off. A receivable with no invoice behind it (the
 * paid-credit purchase booked straight to the receivable) shows here, as does cash received that
 * neither an invoice nor a Stripe charge explains (a negative difference). Current balances, from the balance rows.
 */
export async function findReceivableDiscrepancies(db: Db): Promise<FoundDiscrepancy[]> {
  const rows = await executeRows<Row>(
    db,
    sql`with receivables as (
          select a.id, a.code, a.customer_id, a.currency,
                 (b.posted_debits - b.posted_credits + coalesce((select sum(d.posted_debits - d.posted_credits) from ledger_balance_deltas d where d.account_id = a.id), 0)) as balance
          from ledger_accounts a join ledger_balances b on b.account_id = a.id
          where a.code like 'customer:%:receivable'
        ),
        tally_open as (
          select customer_id, currency, total_cents * 10000 as total from invoices where status = 'finalized'
        ),
        external as (
          -- Receivable postings backed by a document other than a Tally invoice: ones naming an
          -- invoice Tally does not hold (history carried into the ledger), refunds and charges outside an
          -- invoice (Stripe's refund or charge is the document; stripe_cash checks it against Stripe, the
          -- customer holds the credit, aging shows it unapplied) and write-offs not tied to a Tally invoice.
          select a.customer_id, a.currency, sum(e.amount) as total
          from receivables a
          join ledger_entries e on e.account_id = a.id and e.phase = 'posted'
          join ledger_transactions t on t.id = e.transaction_id
          where (t.invoice_id is not null and not exists (select 1 from invoices i where i.id::text = t.invoice_id))
             or (t.invoice_id is null and t.kind in ('refund', 'write_off'))
             or (t.invoice_id is null and t.kind = 'payment' and t.stripe_object_id like 'ch\\_%')
          group by a.customer_id, a.currency
        ),
        open_invoices as (
          select customer_id, currency, sum(total) as total, count(*) as invoices
          from (select customer_id, currency, total from tally_open union all select customer_id, currency, total from external) documents
          group by customer_id, currency
        )
        select coalesce(r.customer_id, o.customer_id)::text as customer_id, coalesce(r.currency, o.currency) as currency,
               coalesce(r.code, 'customer:' || o.customer_id || ':receivable') as account_code,
               coalesce(r.balance, 0)::text as receivable, coalesce(o.total, 0)::text as open_invoices,
               coalesce(o.invoices, 0)::text as open_count, c.external_id
        from receivables r
        full join open_invoices o on o.customer_id = r.customer_id and o.currency = r.currency
        left join customers c on c.id = coalesce(r.customer_id, o.customer_id)
        where coalesce(r.balance, 0) <> coalesce(o.total, 0)`,
  );
  return rows.map((row) => ({
    kind: "receivable_open_invoices" as const,
    key: `receivable_open_invoices:${row.customer_id}:${row.currency}`,
    customerId: row.customer_id,
    objects: { customerId: row.customer_id, accountCode: row.account_code, ...(row.external_id ? { customer: row.external_id } : {}) },
    unit: "micros" as const,
    currency: row.currency,
    expected: row.open_invoices,
    actual: row.receivable,
    description: `${row.external_id ?? row.customer_id}: the ledger receivable differs from the ${row.open_count} open invoice(s).`,
  }));
}
