import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeMinorToMicros } from "@/server/stripe/money";
import type { FoundDiscrepancy, ReconciliationScope } from "./discrepancy";

type InvoiceRow = {
  invoice_id: string;
  number: string | null;
  customer_id: string;
  currency: string;
  status: string;
  total_cents: string;
  stripe_invoice_id: string;
  finalized_at: Date | string;
  period_start: Date | string;
  period_end: Date | string;
  stripe_status: string | null;
  stripe_currency: string | null;
  stripe_total: string | null;
};
type LineRow = { invoice_id: string; number: string | null; customer_id: string; currency: string; field: string; description: string; tally_value: string | null; stripe_value: string | null; stripe_invoice_id: string };

/** How long a Stripe invoice may be missing from the mirror (webhook or sync in flight) before it counts. */
export const stripeMirrorGraceMs = 60 * 60 * 1000;

/** Tally invoice status ↔ the Stripe statuses that agree with it. */
const agreeingStatuses: Record<string, readonly string[]> = {
  finalized: ["open", "draft"],
  paid: ["paid"],
  void: ["void"],
  uncollectible: ["uncollectible"],
};

/**
 * Tally invoices ↔ Stripe invoices (the mirror, no API calls): for each Tally invoice finalized in
 * the window and linked to a Stripe invoice, the total (to the cent), the currency and the
 * status must agree; each usage line must match its invoice item (the billing sync's line
 * comparison, `invoice_discrepancies`). A linked Stripe invoice missing from the mirror for more
 * than an hour is a discrepancy too.
 */
export async function findInvoiceStripeDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const invoices = await executeRows<InvoiceRow>(
    db,
    sql`select i.id as invoice_id, i.number, i.customer_id, i.currency, i.status, i.total_cents::text as total_cents,
               i.stripe_invoice_id, i.finalized_at, i.period_start, i.period_end,
               s.status as stripe_status, s.currency as stripe_currency, s.total::text as stripe_total
        from invoices i left join stripe_invoices s on s.stripe_id = i.stripe_invoice_id
        where i.stripe_invoice_id is not null and i.status <> 'draft'
          and i.finalized_at >= ${scope.from.toISOString()}::timestamptz and i.finalized_at < ${scope.to.toISOString()}::timestamptz`,
  );
  const found: FoundDiscrepancy[] = [];
  for (const row of invoices) {
    const base = {
      kind: "invoice_stripe" as const,
      customerId: row.customer_id,
      invoiceId: row.invoice_id,
      currency: row.currency,
      periodStart: new Date(row.period_start),
      periodEnd: new Date(row.period_end),
    };
    const name = row.number ?? row.invoice_id;
    const objects = { invoiceId: row.invoice_id, stripeInvoiceId: row.stripe_invoice_id, ...(row.number ? { invoiceNumber: row.number } : {}) };
    const expectedMicros = (BigInt(row.total_cents) * 10_000n).toString();
    if (row.stripe_status === null) {
      if (scope.now.getTime() - new Date(row.finalized_at).getTime() < stripeMirrorGraceMs) continue;
      found.push({ ...base, key: `invoice_stripe:${row.invoice_id}:missing`, objects: { ...objects, field: "missing" }, unit: "micros", expected: expectedMicros, actual: "0", description: `Invoice ${name} is linked to Stripe invoice ${row.stripe_invoice_id}, which Tally has not seen.` });
      continue;
    }
    if (row.stripe_currency !== row.currency) {
      found.push({ ...base, key: `invoice_stripe:${row.invoice_id}:currency`, objects: { ...objects, field: "currency", stripeCurrency: row.stripe_currency ?? "" }, unit: "count", expected: "1", actual: "0", description: `Invoice ${name} is in ${row.currency.toUpperCase()}, its Stripe invoice in ${(row.stripe_currency ?? "?").toUpperCase()}.` });
      continue;
    }
    const stripeMicros = stripeMinorToMicros(BigInt(row.stripe_total ?? "0"), row.currency).toString();
    if (stripeMicros !== expectedMicros) {
      found.push({ ...base, key: `invoice_stripe:${row.invoice_id}:total`, objects: { ...objects, field: "total" }, unit: "micros", expected: expectedMicros, actual: stripeMicros, description: `Invoice ${name}: Stripe's total differs from Tally's.` });
    }
    if (!(agreeingStatuses[row.status] ?? []).includes(row.stripe_status)) {
      found.push({ ...base, key: `invoice_stripe:${row.invoice_id}:status`, objects: { ...objects, field: "status", tallyStatus: row.status, stripeStatus: row.stripe_status }, unit: "count", expected: "1", actual: "0", description: `Invoice ${name} is ${row.status} in Tally and ${row.stripe_status} in Stripe.` });
    }
  }
  const lines = await executeRows<LineRow>(
    db,
    sql`select d.invoice_id, i.number, i.customer_id, i.currency, d.field, d.description, d.tally_value::text as tally_value,
               d.stripe_value::text as stripe_value, d.stripe_invoice_id
        from invoice_discrepancies d join invoices i on i.id = d.invoice_id
        where d.field <> 'total' and i.finalized_at >= ${scope.from.toISOString()}::timestamptz and i.finalized_at < ${scope.to.toISOString()}::timestamptz`,
  );
  for (const line of lines) {
    found.push({
      kind: "invoice_stripe",
      key: `invoice_stripe:${line.invoice_id}:${line.field}`,
      customerId: line.customer_id,
      invoiceId: line.invoice_id,
      objects: { invoiceId: line.invoice_id, stripeInvoiceId: line.stripe_invoice_id, field: line.field, ...(line.number ? { invoiceNumber: line.number } : {}) },
      unit: "micros",
      currency: line.currency,
      expected: stripeMinorToMicros(BigInt(line.tally_value ?? "0"), line.currency).toString(),
      actual: stripeMinorToMicros(BigInt(line.stripe_value ?? "0"), line.currency).toString(),
      description: `Invoice ${line.number ?? line.invoice_id}: ${line.description}`,
    });
  }
  return found;
}
