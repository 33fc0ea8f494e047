import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dunningCases, invoices, stripeInvoices } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { stripeMinorToMicros } from "./money";

export type InvoicePaymentStateName = "draft" | "open" | "past_due" | "paid" | "uncollectible" | "void";

export type InvoicePaymentState = {
  state: InvoicePaymentStateName;
  currency: string;
  /** What the customer owes on it (the invoice's cent total), what Stripe reports paid, and what is left. */
  amountDueMicros: bigint;
  amountPaidMicros: bigint;
  amountRemainingMicros: bigint;
  paidAt: Date | null;
  /** The Stripe invoice it was pushed to, as mirrored (null before the push). */
  stripeInvoice: { id: string; number: string | null; status: string; hostedInvoiceUrl: string | null } | null;
  /** The open dunning case when the payment failed and Stripe is retrying. */
  dunning: { attemptCount: number; nextRetryAt: Date | null; graceEndsAt: Date } | null;
};

/**
 * Where an invoice stands with the customer's money: paid, open, past due (a payment failed and
 * dunning is open), uncollectible or void, and the amount paid from Stripe's mirrored invoice.
 */
export async function getInvoicePaymentState(db: Db, input: { invoiceId: string }): Promise<InvoicePaymentState> {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, input.invoiceId));
  if (!invoice) throw new DomainError("not_found", "invoice_not_found", "No invoice has this id.");
  const [stripe] = invoice.stripeInvoiceId ? await db.select().from(stripeInvoices).where(eq(stripeInvoices.stripeId, invoice.stripeInvoiceId)) : [];
  const [dunning] = invoice.stripeInvoiceId ? await db.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, invoice.stripeInvoiceId)) : [];
  const amountDueMicros = invoice.totalCents * 10_000n;
  const amountPaidMicros = stripe ? stripeMinorToMicros(stripe.amountPaid, stripe.currency) : invoice.status === "paid" ? amountDueMicros : 0n;
  const openDunning = dunning && dunning.status === "open" ? dunning : null;
  return {
    state: stateOf(invoice.status, stripe?.status ?? null, openDunning !== null),
    currency: invoice.currency,
    amountDueMicros,
    amountPaidMicros,
    amountRemainingMicros: amountDueMicros - amountPaidMicros > 0n && invoice.status !== "void" ? amountDueMicros - amountPaidMicros : 0n,
    paidAt: invoice.paidAt ?? stripe?.paidAt ?? null,
    stripeInvoice: stripe ? { id: stripe.stripeId, number: stripe.number, status: stripe.status, hostedInvoiceUrl: stripe.hostedInvoiceUrl } : invoice.stripeInvoiceId ? { id: invoice.stripeInvoiceId, number: null, status: "unknown", hostedInvoiceUrl: null } : null,
    dunning: openDunning ? { attemptCount: openDunning.attemptCount, nextRetryAt: openDunning.nextRetryAt, graceEndsAt: openDunning.graceEndsAt } : null,
  };
}

/** Tally's status first (it follows Stripe's paid / uncollectible / void), then an open dunning case makes an unpaid invoice past due. */
export function stateOf(status: string, stripeStatus: string | null, dunningOpen: boolean): InvoicePaymentStateName {
  if (status === "draft") return "draft";
  if (status === "void" || stripeStatus === "void") return "void";
  if (status === "paid" || stripeStatus === "paid") return "paid";
  if (status === "uncollectible" || stripeStatus === "uncollectible") return "uncollectible";
  return dunningOpen ? "past_due" : "open";
}
