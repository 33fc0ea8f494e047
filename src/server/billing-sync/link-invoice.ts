import { and, eq, isNull, or } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoices } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { compareStripeInvoice, type CompareStripeInvoiceResult } from "./compare-invoice";

/**
 * Links a Tally invoice to the Stripe invoice that bills it (e.g. Stripe's `subscription_update`
 * invoice of an immediate plan change, for Tally's `proration` invoice) and, once Stripe has
 * finalized it, compares the two. A Tally invoice already linked elsewhere is refused.
 */
export async function linkStripeInvoice(db: Db, stripe: Stripe, input: { invoiceId: string; stripeInvoiceId: string }, options: { clock: Clock }): Promise<CompareStripeInvoiceResult | null> {
  const linked = await db
    .update(invoices)
    .set({ stripeInvoiceId: input.stripeInvoiceId, updatedAt: options.clock.now() })
    .where(and(eq(invoices.id, input.invoiceId), or(isNull(invoices.stripeInvoiceId), eq(invoices.stripeInvoiceId, input.stripeInvoiceId))))
    .returning({ id: invoices.id });
  if (linked.length === 0) throw new DomainError("conflict", "invoice_linked_elsewhere", `Invoice ${input.invoiceId} is missing or already linked to another Stripe invoice.`);
  const stripeInvoice = await stripe.invoices.retrieve(input.stripeInvoiceId);
  if (stripeInvoice.status === "draft") return null;
  return compareStripeInvoice(db, stripe, { invoiceId: input.invoiceId, stripeInvoice }, options);
}
