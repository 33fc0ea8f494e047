import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, invoiceLines, invoices, type Invoice, type InvoiceLine } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type InvoiceDetail = { invoice: Invoice; customer: { id: string; name: string; externalId: string }; lines: InvoiceLine[] };

/** One invoice with its lines in order (bounded: an invoice has at most a few hundred lines). */
export async function getInvoice(db: Db, input: { id: string }): Promise<InvoiceDetail> {
  const [row] = await db
    .select({ invoice: invoices, customer: { id: customers.id, name: customers.name, externalId: customers.externalId } })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(eq(invoices.id, input.id));
  if (!row) throw new DomainError("not_found", "invoice_not_found", "No invoice has this id.");
  const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, input.id)).orderBy(invoiceLines.position).limit(2_000);
  return { invoice: row.invoice, customer: row.customer, lines };
}
