import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoiceLines, invoices, subscriptions, type Invoice, type InvoiceKind, type InvoiceLine, type InvoiceLineKind, type Subscription } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { microsPerCent } from "@/server/invoicing/money";
import { microsToStripeMinor } from "@/server/stripe/money";

/** Tally line kinds that become Stripe invoice items; the base fee is Stripe's own subscription line. */
export const pushedLineKinds: readonly InvoiceLineKind[] = ["usage", "late_usage", "discount", "credit", "credit_purchase"];

export const billingSyncKeys = {
  invoiceItem: (lineId: string, target: string) => `tally:invoice-line:${lineId}:item:${target}`,
  standaloneInvoice: (invoiceId: string) => `tally:invoice:${invoiceId}:stripe-invoice`,
  standaloneFinalize: (invoiceId: string) => `tally:invoice:${invoiceId}:finalize`,
  meter: (meterId: string) => `tally:meter:${meterId}:create`,
  meterEvent: (identifier: string) => `${identifier}:event`,
} as const;

/** Metadata keys Tally puts on what it sends to Stripe. */
export const tallyMetadata = { lineId: "tally_invoice_line_id", invoiceId: "tally_invoice_id", subscriptionId: "tally_subscription_id" } as const;

export type PushableInvoice = { invoice: Invoice; subscription: Subscription & { stripeSubscriptionId: string }; lines: InvoiceLine[] };

/** A finalized invoice (of one of `kinds`; period invoices by default) of a subscription synced to Stripe, with its lines in order. */
export async function loadPushableInvoice(db: Db, invoiceId: string, kinds: readonly InvoiceKind[] = ["period"]): Promise<PushableInvoice> {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, invoiceId));
  if (!invoice) throw new DomainError("not_found", "invoice_not_found", `Invoice ${invoiceId} does not exist.`);
  if (!kinds.includes(invoice.kind)) throw new DomainError("invalid", "invoice_kind_not_pushable", `Invoice ${invoiceId} is a ${invoice.kind} invoice; expected ${kinds.join(" or ")}.`);
  if (invoice.status === "draft" || invoice.status === "void") throw new DomainError("precondition", "invoice_not_finalized", `Invoice ${invoiceId} is ${invoice.status}; only finalized invoices are pushed.`);
  const [subscription] = await db.select().from(subscriptions).where(eq(subscriptions.id, invoice.subscriptionId));
  if (!subscription) throw new DomainError("not_found", "subscription_not_found", `Subscription ${invoice.subscriptionId} does not exist.`);
  if (subscription.stripeSubscriptionId === null) throw new DomainError("precondition", "subscription_not_in_stripe", `Subscription ${subscription.id} is not synced to Stripe; run stripe:sync-subscription first.`);
  const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(invoiceLines.position).limit(2_000);
  return { invoice, subscription: subscription as Subscription & { stripeSubscriptionId: string }, lines };
}

/** A line's amount in Stripe's minor unit: its whole-cent amount, converted by the stripe domain's money. */
export function lineMinor(line: Pick<InvoiceLine, "amountCents">, currency: string): bigint {
  return microsToStripeMinor(line.amountCents * microsPerCent, currency);
}

export function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Stripe's invoice of this subscription whose billing period is the Tally invoice's period (the renewal that closes it). */
export async function findStripePeriodInvoice(stripe: Stripe, stripeSubscriptionId: string, invoice: Pick<Invoice, "periodStart" | "periodEnd">): Promise<Stripe.Invoice | null> {
  const start = toSeconds(invoice.periodStart);
  const end = toSeconds(invoice.periodEnd);
  for await (const candidate of stripe.invoices.list({ subscription: stripeSubscriptionId, limit: 100 })) {
    if (candidate.status === "void") continue;
    if (candidate.period_start === start && candidate.period_end === end) return candidate;
    if (candidate.period_end < start) break;
  }
  return null;
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}
