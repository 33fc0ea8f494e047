import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoiceDiscrepancies, invoices, stripeInvoiceChecks, type InvoiceDiscrepancy, type StripeInvoiceCheck } from "@/db/schema";

export type InvoiceStripeCheck = { stripeInvoiceId: string | null; check: StripeInvoiceCheck | null; discrepancies: InvoiceDiscrepancy[] };

/** The invoice page's Stripe card: the linked Stripe invoice, the last comparison and its differences. */
export async function getInvoiceStripeCheck(db: Db, input: { invoiceId: string }): Promise<InvoiceStripeCheck> {
  const [invoice] = await db.select({ stripeInvoiceId: invoices.stripeInvoiceId }).from(invoices).where(eq(invoices.id, input.invoiceId));
  const [check] = await db.select().from(stripeInvoiceChecks).where(eq(stripeInvoiceChecks.invoiceId, input.invoiceId));
  const discrepancies = await db.select().from(invoiceDiscrepancies).where(eq(invoiceDiscrepancies.invoiceId, input.invoiceId)).orderBy(asc(invoiceDiscrepancies.field)).limit(500);
  return { stripeInvoiceId: invoice?.stripeInvoiceId ?? null, check: check ?? null, discrepancies };
}
