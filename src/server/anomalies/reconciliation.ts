import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { discrepancyKindLabels, type DiscrepancyKind } from "@/server/reconciliation/discrepancy";
import type { AnomalyCandidate } from "./candidate";

/**
 * `reconciliation` anomalies: every open difference between Tally's books and another's, one
 * anomaly per difference (or per invoice, for the Tally ↔ Stripe invoice comparison of billing-sync,
 * whose rows are per field). The differences are billing-sync's invoice comparison and the daily
 * reconciliation's open discrepancies of a customer (src/server/reconciliation; its `invoice_stripe`
 * kind restates billing-sync's comparison, so it is read once, from billing-sync). A difference that
 * disappears (the comparison agrees again) clears its anomaly at the next run.
 */
export async function detectReconciliation(
  db: Db,
  input: { customerIds?: readonly string[]; asOf: Date; describeMoney: (micros: bigint, currency: string) => string },
): Promise<{ available: boolean; candidates: AnomalyCandidate[] }> {
  const only = input.customerIds === undefined ? sql`true` : sql`i.customer_id = any(${`{${input.customerIds.join(",")}}`}::uuid[])`;
  const rows = await executeRows<{
    invoice_id: string;
    number: string | null;
    customer_id: string;
    currency: string;
    stripe_invoice_id: string;
    first_detected: Date | string;
    fields: { field: string; description: string; tally: string | null; stripe: string | null }[] | string;
  }>(
    db,
    sql`select d.invoice_id::text, i.number, i.customer_id::text, i.currency, min(d.stripe_invoice_id) as stripe_invoice_id, min(d.detected_at) as first_detected,
               json_agg(json_build_object('field', d.field, 'description', d.description, 'tally', d.tally_value::text, 'stripe', d.stripe_value::text) order by d.field) as fields
        from invoice_discrepancies d join invoices i on i.id = d.invoice_id
        where ${only}
        group by d.invoice_id, i.number, i.customer_id, i.currency
        limit 10000`,
  );
  const candidates = rows.map((row): AnomalyCandidate => {
    const fields = (typeof row.fields === "string" ? JSON.parse(row.fields) : row.fields) as { field: string; description: string; tally: string | null; stripe: string | null }[];
    const total = fields.find((field) => field.field === "total");
    const differenceMinor = total && total.tally !== null && total.stripe !== null ? BigInt(total.stripe) - BigInt(total.tally) : null;
    const detected = new Date(row.first_detected);
    return {
      kind: "reconciliation",
      customerId: row.customer_id,
      subject: `invoice_discrepancy:${row.invoice_id}`,
      windowStart: detected,
      windowEnd: input.asOf,
      title: `Invoice ${row.number ?? row.invoice_id} differs from Stripe's ${row.stripe_invoice_id}: ${fields.length} difference${fields.length === 1 ? "" : "s"}${
        differenceMinor !== null ? ` (total off by ${input.describeMoney(differenceMinor * 10_000n, row.currency)})` : ""
      } — ${fields[0]?.description ?? ""}`,
      observed: null,
      expected: null,
      impactMicros: differenceMinor === null ? null : differenceMinor * 10_000n,
      currency: row.currency,
      severityFloor: "medium",
      evidence: { source: "billing_sync", invoiceId: row.invoice_id, invoiceNumber: row.number, stripeInvoiceId: row.stripe_invoice_id, differences: fields },
    };
  });
  candidates.push(...(await readReconciliationDiscrepancies(db, input)));
  return { available: true, candidates };
}

/** Open discrepancies of the daily reconciliation that name a customer (a platform-wide one has no customer to show it on). */
async function readReconciliationDiscrepancies(
  db: Db,
  input: { customerIds?: readonly string[]; asOf: Date; describeMoney: (micros: bigint, currency: string) => string },
): Promise<AnomalyCandidate[]> {
  const only = input.customerIds === undefined ? sql`true` : sql`d.customer_id = any(${`{${input.customerIds.join(",")}}`}::uuid[])`;
  const rows = await executeRows<{
    key: string;
    kind: string;
    customer_id: string;
    invoice_id: string | null;
    objects: Record<string, string> | string;
    unit: string;
    currency: string | null;
    expected: string;
    actual: string;
    difference: string;
    amount_micros: string;
    description: string;
    first_seen_at: Date | string;
    last_seen_at: Date | string;
  }>(
    db,
    sql`select d.key, d.kind, d.customer_id::text, d.invoice_id::text, d.objects, d.unit, d.currency, d.expected::text, d.actual::text, d.difference::text,
               d.amount_micros::text, d.description, d.first_seen_at, d.last_seen_at
        from reconciliation_discrepancies d
        where d.status = 'open' and d.customer_id is not null and d.kind <> 'invoice_stripe' and ${only}
        order by d.first_seen_at
        limit 10000`,
  );
  return rows.map((row): AnomalyCandidate => {
    const money = row.unit === "micros" && row.currency !== null;
    const currency = row.currency ?? "usd";
    const difference = money ? BigInt(row.difference) : null;
    return {
      kind: "reconciliation",
      customerId: row.customer_id,
      subject: `discrepancy:${row.key}`,
      windowStart: new Date(row.first_seen_at),
      windowEnd: input.asOf,
      title: `${discrepancyKindLabels[row.kind as DiscrepancyKind] ?? row.kind}${difference !== null ? ` off by ${input.describeMoney(difference < 0n ? -difference : difference, currency)}` : ""}: ${row.description}`,
      observed: null,
      expected: null,
      impactMicros: difference,
      currency,
      severityFloor: "medium",
      evidence: {
        source: "reconciliation",
        discrepancyKind: row.kind,
        key: row.key,
        invoiceId: row.invoice_id,
        objects: typeof row.objects === "string" ? (JSON.parse(row.objects) as Record<string, string>) : row.objects,
        unit: row.unit,
        expected: row.expected,
        actual: row.actual,
        difference: row.difference,
        firstSeenAt: new Date(row.first_seen_at).toISOString(),
        lastSeenAt: new Date(row.last_seen_at).toISOString(),
      },
    };
  });
}
