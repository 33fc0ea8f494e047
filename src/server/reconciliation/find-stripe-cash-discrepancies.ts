import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeMinorToMicros } from "@/server/stripe/money";
import type { FoundDiscrepancy, ReconciliationScope } from "./discrepancy";

type Row = { at: Date | string; object_id: string; object_type: string; customer_id: string | null; currency: string; expected_minor: string | null; actual_micros: string | null };

/**
 * Stripe payments and refunds (the mirror) ↔ ledger cash: every paid Stripe invoice, every
 * succeeded charge that paid no invoice, and every succeeded refund of a Tally customer, created
 * in the window, must have moved `cash:stripe` by its amount (refunds negative) — and every cash
 * posting in the window must name a Stripe object that says so. Payouts move cash:stripe too, but
 * to the bank: they are checked against their balance transactions when posted, not here.
 */
export async function findStripeCashDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const from = scope.from.toISOString();
  const to = scope.to.toISOString();
  const rows = await executeRows<Row>(
    db,
    sql`with expected as (
          select stripe_id as object_id, 'invoice' as object_type, customer_id, currency, amount_paid as amount, stripe_created as created
          from stripe_invoices where status = 'paid' and amount_paid > 0 and customer_id is not null
            and stripe_created >= ${from}::timestamptz and stripe_created < ${to}::timestamptz
          union all
          select c.stripe_id, 'charge', c.customer_id, c.currency, c.amount_captured, c.stripe_created
          from stripe_charges c
          where c.paid and c.captured and c.status = 'succeeded' and c.customer_id is not null
            and c.stripe_created >= ${from}::timestamptz and c.stripe_created < ${to}::timestamptz
            and not exists (select 1 from stripe_invoice_payments p where p.payment_intent_id = c.payment_intent_id)
          union all
          select r.stripe_id, 'refund', r.customer_id, r.currency, -r.amount, r.stripe_created
          from stripe_refunds r
          where r.status = 'succeeded' and r.customer_id is not null
            and r.stripe_created >= ${from}::timestamptz and r.stripe_created < ${to}::timestamptz
        ),
        cash as (
          select t.stripe_object_id as object_id, e.currency, sum(e.amount) as amount, min(t.effective_at) as effective_at
          from ledger_transactions t
          join ledger_entries e on e.transaction_id = t.id and e.phase = 'posted'
          join ledger_accounts a on a.id = e.account_id and a.code = 'cash:stripe'
          where t.stripe_object_id is not null and t.kind <> 'payout'
            and (t.stripe_object_id in (select object_id from expected)
                 or (t.effective_at >= ${from}::timestamptz and t.effective_at < ${to}::timestamptz))
          group by t.stripe_object_id, e.currency
        )
        select coalesce(x.created, c.effective_at) as at, coalesce(x.object_id, c.object_id) as object_id, coalesce(x.object_type, 'unknown') as object_type,
               x.customer_id::text as customer_id, coalesce(x.currency, c.currency) as currency,
               x.amount::text as expected_minor, c.amount::text as actual_micros
        from expected x full join cash c on c.object_id = x.object_id and c.currency = x.currency`,
  );
  const found: FoundDiscrepancy[] = [];
  for (const row of rows) {
    const expected = row.expected_minor === null ? 0n : stripeMinorToMicros(BigInt(row.expected_minor), row.currency);
    const actual = BigInt(row.actual_micros ?? "0");
    if (expected === actual) continue;
    found.push({
      kind: "stripe_cash",
      key: `stripe_cash:${row.object_id}`,
      customerId: row.customer_id,
      objects: { stripeObjectId: row.object_id, stripeObjectType: row.object_type },
      unit: "micros",
      currency: row.currency,
      expected: expected.toString(),
      actual: actual.toString(),
      periodStart: new Date(row.at),
      periodEnd: new Date(new Date(row.at).getTime() + 1),
      description:
        row.expected_minor === null
          ? `Cash was posted for Stripe object ${row.object_id}, which Stripe does not show as a payment or refund.`
          : `Stripe ${row.object_type} ${row.object_id} moved cash that the ledger's cash:stripe does not match.`,
    });
  }
  return found;
}
