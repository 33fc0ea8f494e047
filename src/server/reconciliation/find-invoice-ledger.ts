import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { FoundDiscrepancy, ReconciliationScope } from "./discrepancy";

type Row = {
  invoice_id: string;
  number: string | null;
  customer_id: string;
  currency: string;
  period_start: Date | string;
  period_end: Date | string;
  expected_receivable: string;
  expected_usage: string;
  expected_fees: string;
  expected_discount: string;
  expected_rounding: string;
  actual_receivable: string;
  actual_usage: string;
  actual_fees: string;
  actual_discount: string;
  actual_rounding: string;
};

const components = [
  ["receivable", "receivable (Dr customer receivable)"],
  ["usage", "usage revenue (Cr revenue:usage)"],
  ["fees", "subscription revenue (Cr revenue:subscription)"],
  ["discount", "discounts (Dr expense:promotions)"],
  ["rounding", "cent rounding (rounding)"],
] as const;

/**
 * Tally invoices ↔ ledger: for each invoice finalized in the window (not void), the postings
 * that reference it — receivable, usage revenue, subscription revenue, discounts and rounding —
 * must equal what its lines and totals say, per invoice. Posted entries only; signed so that each
 * expected figure is positive for a normal invoice.
 */
export async function findInvoiceLedgerDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const rows = await executeRows<Row>(
    db,
    sql`with inv as (
          select i.* from invoices i
          where i.status in ('finalized', 'paid', 'uncollectible')
            and i.finalized_at >= ${scope.from.toISOString()}::timestamptz and i.finalized_at < ${scope.to.toISOString()}::timestamptz
        ),
        lines as (
          select l.invoice_id,
                 coalesce(sum(l.amount_micros) filter (where l.kind in ('usage', 'late_usage')), 0) as usage,
                 coalesce(sum(l.amount_micros) filter (where l.kind in ('base_fee', 'proration')), 0) as fees
          from invoice_lines l join inv on inv.id = l.invoice_id group by l.invoice_id
        ),
        own_direct as (
          -- Postings that name the invoice, and the ones it records having posted (a credit purchase's grant).
          select inv.id::text as invoice_id, t2.id as transaction_id from inv join ledger_transactions t2 on t2.invoice_id = inv.id::text and t2.kind in ('usage_accrual', 'invoice')
          union
          select inv.id::text, x.id::uuid from inv cross join lateral jsonb_array_elements_text(inv.ledger_transaction_ids) as x(id)
        ),
        own as (
          -- ... and their reversals, which undo them.
          select invoice_id, transaction_id from own_direct
          union
          select o.invoice_id, r.id from own_direct o join ledger_transactions r on r.reverses_transaction_id = o.transaction_id
        ),
        posted as (
          select own.invoice_id::uuid as invoice_id,
                 coalesce(sum(e.amount) filter (where a.code like 'customer:%:receivable'), 0) as receivable,
                 coalesce(-sum(e.amount) filter (where a.code like 'revenue:usage:%'), 0) as usage,
                 coalesce(-sum(e.amount) filter (where a.code like 'revenue:subscription:%'), 0) as fees,
                 coalesce(sum(e.amount) filter (where a.code = 'expense:promotions' and t.kind = 'invoice'), 0) as discount,
                 coalesce(sum(e.amount) filter (where a.code = 'rounding'), 0) as rounding
          from ledger_transactions t
          join ledger_entries e on e.transaction_id = t.id and e.phase = 'posted'
          join ledger_accounts a on a.id = e.account_id
          join own on own.transaction_id = t.id
          group by own.invoice_id
        )
        select inv.id as invoice_id, inv.number, inv.customer_id, inv.currency, inv.period_start, inv.period_end,
               (inv.total_cents * 10000)::text as expected_receivable, coalesce(lines.usage, 0)::text as expected_usage,
               coalesce(lines.fees, 0)::text as expected_fees, inv.discount_micros::text as expected_discount,
               inv.rounding_micros::text as expected_rounding,
               coalesce(p.receivable, 0)::text as actual_receivable, coalesce(p.usage, 0)::text as actual_usage,
               coalesce(p.fees, 0)::text as actual_fees, coalesce(p.discount, 0)::text as actual_discount,
               coalesce(p.rounding, 0)::text as actual_rounding
        from inv left join lines on lines.invoice_id = inv.id left join posted p on p.invoice_id = inv.id`,
  );
  const found: FoundDiscrepancy[] = [];
  for (const row of rows) {
    for (const [component, label] of components) {
      const expected = row[`expected_${component}`];
      const actual = row[`actual_${component}`];
      if (BigInt(expected) === BigInt(actual)) continue;
      found.push({
        kind: "invoice_ledger",
        key: `invoice_ledger:${row.invoice_id}:${component}`,
        customerId: row.customer_id,
        invoiceId: row.invoice_id,
        objects: { invoiceId: row.invoice_id, ...(row.number ? { invoiceNumber: row.number } : {}), component },
        unit: "micros",
        currency: row.currency,
        expected,
        actual,
        description: `Invoice ${row.number ?? row.invoice_id}: the ledger's ${label} differs from the invoice.`,
        periodStart: new Date(row.period_start),
        periodEnd: new Date(row.period_end),
      });
    }
  }
  return found;
}
