import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, invoiceLines, invoices, type Invoice, type InvoiceLine } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { attributeInvoiceChange, type Attribution, type BillLine } from "./attribute-invoice-change";

export type ComparedInvoice = Pick<Invoice, "id" | "number" | "kind" | "status" | "currency" | "periodStart" | "periodEnd" | "totalMicros" | "totalCents" | "issuedAt" | "planVersionId">;

export type InvoiceComparison = {
  customer: { id: string; name: string };
  /** The earlier invoice (by period, then issue time) and the later one, whichever order they were asked in. */
  before: ComparedInvoice;
  after: ComparedInvoice;
  planChanged: boolean;
  attribution: Attribution;
};

/**
 * Two invoices of one customer side by side, line by line: each line matched to the other
 * invoice's line of the same meter and dimensions (or the same kind), its change split into the
 * quantity effect Δq·p₀ and the price effect q₁·Δp, exact in micro-units (attributeInvoiceChange),
 * so the rows add up to the change of the invoice total.
 */
export async function compareInvoices(db: Db, input: { a: string; b: string }): Promise<InvoiceComparison> {
  if (input.a === input.b) throw new DomainError("invalid", "same_invoice", "Pick two different invoices to compare.", undefined, { param: "b" });
  const rows = await db.select({ invoice: invoices, customerName: customers.name }).from(invoices).innerJoin(customers, eq(customers.id, invoices.customerId)).where(inArray(invoices.id, [input.a, input.b]));
  const first = rows.find((row) => row.invoice.id === input.a);
  const second = rows.find((row) => row.invoice.id === input.b);
  if (!first || !second) throw new DomainError("not_found", "invoice_not_found", `No invoice has the id ${!first ? input.a : input.b}.`, undefined, { param: !first ? "a" : "b" });
  if (first.invoice.customerId !== second.invoice.customerId) {
    throw new DomainError("invalid", "invoices_of_different_customers", "These invoices belong to different customers; compare two invoices of one customer.", undefined, { param: "b" });
  }
  if (first.invoice.currency !== second.invoice.currency) {
    throw new DomainError("invalid", "invoices_in_different_currencies", `One invoice is in ${first.invoice.currency.toUpperCase()}, the other in ${second.invoice.currency.toUpperCase()}.`, undefined, { param: "b" });
  }
  const [before, after] = isEarlier(first.invoice, second.invoice) ? [first.invoice, second.invoice] : [second.invoice, first.invoice];
  const lines = await db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, [before.id, after.id])).orderBy(invoiceLines.position).limit(4_000);
  const billLines = (invoiceId: string) => lines.filter((line) => line.invoiceId === invoiceId).map(toBillLine);
  return {
    customer: { id: before.customerId, name: first.customerName },
    before: summary(before),
    after: summary(after),
    planChanged: before.planVersionId !== after.planVersionId,
    attribution: attributeInvoiceChange(billLines(before.id), billLines(after.id)),
  };
}

function isEarlier(a: Invoice, b: Invoice): boolean {
  if (a.periodStart.getTime() !== b.periodStart.getTime()) return a.periodStart < b.periodStart;
  return a.issuedAt <= b.issuedAt;
}

/** Usage lines count their period's usage; a base fee its seats; other lines have no quantity. */
export function toBillLine(line: InvoiceLine): BillLine {
  const quantity = line.kind === "usage" || line.kind === "late_usage" ? line.usageQuantity : line.kind === "base_fee" ? line.quantity : null;
  return { kind: line.kind, description: line.description, meterKey: line.meterKey, dimensions: line.dimensions, quantity, amountMicros: line.amountMicros };
}

function summary(invoice: Invoice): ComparedInvoice {
  const { id, number, kind, status, currency, periodStart, periodEnd, totalMicros, totalCents, issuedAt, planVersionId } = invoice;
  return { id, number, kind, status, currency, periodStart, periodEnd, totalMicros, totalCents, issuedAt, planVersionId };
}
