import { and, eq, isNull, or } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoices, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { followStripeInvoiceStatus } from "./follow-invoice-status";
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
  // Stripe may have been paid (or voided) before the link: the status catches up now.
  await followStripeInvoiceStatus(db, options.clock, stripeInvoice);
  if (stripeInvoice.status === "draft") return null;
  return compareStripeInvoice(db, stripe, { invoiceId: input.invoiceId, stripeInvoice }, options);
}

/**
 * Links the subscription's `opening` invoice to Stripe's first invoice billing the fee — the
 * `subscription_create` invoice without a trial, the first `subscription_cycle` invoice after one
 * (created at or after the trial end) — via `linkStripeInvoice` (compared once finalized).
 * Null when Tally has no opening invoice or Stripe has not issued that invoice yet.
 */
export async function linkOpeningInvoice(db: Db, stripe: Stripe, input: { subscriptionId: string }, options: { clock: Clock }): Promise<{ invoiceId: string; stripeInvoiceId: string; comparison: CompareStripeInvoiceResult | null } | null> {
  const [row] = await db
    .select({ invoiceId: invoices.id, stripeSubscriptionId: subscriptions.stripeSubscriptionId, trialEnd: subscriptions.trialEnd })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(and(eq(invoices.subscriptionId, input.subscriptionId), eq(invoices.kind, "opening")));
  if (!row) return null;
  if (row.stripeSubscriptionId === null) throw new DomainError("precondition", "subscription_not_in_stripe", `Subscription ${input.subscriptionId} is not synced to Stripe; run stripe:sync-subscription first.`);
  const candidates: Stripe.Invoice[] = [];
  for await (const invoice of stripe.invoices.list({ subscription: row.stripeSubscriptionId, limit: 100 })) candidates.push(invoice);
  candidates.sort((left, right) => left.created - right.created);
  const trialEndSeconds = row.trialEnd ? Math.floor(row.trialEnd.getTime() / 1000) : null;
  const first =
    trialEndSeconds === null
      ? candidates.find((invoice) => invoice.billing_reason === "subscription_create" && invoice.status !== "void")
      : candidates.find((invoice) => invoice.billing_reason === "subscription_cycle" && invoice.status !== "void" && invoice.created >= trialEndSeconds);
  if (!first) return null;
  const comparison = await linkStripeInvoice(db, stripe, { invoiceId: row.invoiceId, stripeInvoiceId: first.id }, options);
  return { invoiceId: row.invoiceId, stripeInvoiceId: first.id, comparison };
}
