import { asc, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoiceLines, type Invoice, type InvoiceLine } from "@/db/schema";
import type { InvoiceLineDraft } from "./build-invoice";

/** An invoice line as the public API and webhooks show it. */
export type InvoiceLineJson = {
  id: string;
  kind: InvoiceLine["kind"];
  description: string;
  product_key: string | null;
  meter_key: string | null;
  dimensions: Record<string, string>;
  service_period: { start: string; end: string };
  quantity: string | null;
  unit_price: string | null;
  amount_micros: string;
  amount_cents: number;
};

export type InvoiceJson = {
  object: "invoice";
  id: string;
  number: string | null;
  customer: string;
  subscription: string;
  kind: Invoice["kind"];
  status: Invoice["status"];
  currency: string;
  period: { start: string; end: string };
  subtotal_micros: string;
  subtotal_cents: number;
  discount_micros: string;
  discount_cents: number;
  credit_micros: string;
  credit_cents: number;
  total_micros: string;
  total_cents: number;
  lines: InvoiceLineJson[];
  stripe_invoice_id: string | null;
  issued_at: string;
  finalized_at: string | null;
  paid_at: string | null;
};

type LineLike = Pick<InvoiceLineDraft, "kind" | "description" | "productKey" | "meterKey" | "dimensions" | "quantity" | "unitPrice" | "amountMicros" | "amountCents"> & { servicePeriodStart: Date; servicePeriodEnd: Date };

export function invoiceLineJson(line: LineLike): Omit<InvoiceLineJson, "id"> {
  return {
    kind: line.kind,
    description: line.description,
    product_key: line.productKey,
    meter_key: line.meterKey,
    dimensions: line.dimensions,
    service_period: { start: line.servicePeriodStart.toISOString(), end: line.servicePeriodEnd.toISOString() },
    quantity: line.quantity,
    unit_price: line.unitPrice,
    amount_micros: line.amountMicros.toString(),
    amount_cents: Number(line.amountCents),
  };
}

export function invoiceJson(invoice: Invoice, lines: readonly InvoiceLine[]): InvoiceJson {
  return {
    object: "invoice",
    id: invoice.id,
    number: invoice.number,
    customer: invoice.customerId,
    subscription: invoice.subscriptionId,
    kind: invoice.kind,
    status: invoice.status,
    currency: invoice.currency,
    period: { start: invoice.periodStart.toISOString(), end: invoice.periodEnd.toISOString() },
    subtotal_micros: invoice.subtotalMicros.toString(),
    subtotal_cents: Number(invoice.subtotalCents),
    discount_micros: invoice.discountMicros.toString(),
    discount_cents: Number(invoice.discountCents),
    credit_micros: invoice.creditMicros.toString(),
    credit_cents: Number(invoice.creditCents),
    total_micros: invoice.totalMicros.toString(),
    total_cents: Number(invoice.totalCents),
    lines: lines.map((line) => ({ id: line.id, ...invoiceLineJson(line) })),
    stripe_invoice_id: invoice.stripeInvoiceId,
    issued_at: invoice.issuedAt.toISOString(),
    finalized_at: invoice.finalizedAt?.toISOString() ?? null,
    paid_at: invoice.paidAt?.toISOString() ?? null,
  };
}

/** The lines of several invoices at once, in order (bounded by the caller's page). */
export async function readInvoiceLines(db: Db, invoiceIds: readonly string[]): Promise<Map<string, InvoiceLine[]>> {
  const byInvoice = new Map<string, InvoiceLine[]>(invoiceIds.map((id) => [id, []]));
  if (invoiceIds.length === 0) return byInvoice;
  const rows = await db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, [...invoiceIds])).orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.position)).limit(100_000);
  for (const row of rows) byInvoice.get(row.invoiceId)?.push(row);
  return byInvoice;
}
