import { and, eq, isNull, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { invoices, stripeInvoiceItemLinks } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { minorToSdkNumber } from "@/server/stripe/money";
import { stripeWrite } from "@/server/stripe/stripe-write";
import { compareStripeInvoice, type CompareStripeInvoiceResult } from "./compare-invoice";
import { billingSyncKeys, findStripePeriodInvoice, idOf, lineMinor, loadPushableInvoice, pushedLineKinds, tallyMetadata, toSeconds } from "./stripe-refs";

export const pushInvoiceInput = z.object({ invoiceId: z.uuid() });
export type PushInvoiceInput = z.infer<typeof pushInvoiceInput>;

export type PushInvoiceResult = {
  invoiceId: string;
  /** The Stripe invoice the lines are on; null while they wait as pending items for the next renewal. */
  stripeInvoiceId: string | null;
  target: "draft" | "pending" | "finalized";
  created: number;
  /** Items that already existed in Stripe (an earlier, interrupted push) and were only recorded. */
  recovered: number;
  alreadyPushed: number;
  comparison: CompareStripeInvoiceResult | null;
};

/**
 * Puts a Tally period invoice's usage, late-usage, discount and credit lines on Stripe's renewal
 * invoice for the same period, one invoice item per line (amount = the line's whole cents, in
 * the minor unit; metadata `tally_invoice_line_id`). The base-fee line is Stripe's own
 * subscription line and is not sent.
 *
 * Target: the subscription's Stripe invoice whose period equals the Tally invoice's. A draft
 * gets the items directly; without one yet, the items are created pending on the subscription
 * and Stripe attaches them to the renewal when it opens it. A renewal already finalized cannot
 * take them: a precondition error (a person decides: a one-off invoice or a credit note).
 *
 * Exactly once: the invoice row is locked for the push (concurrent pushers queue), the
 * customer's items in Stripe are read first (an earlier attempt whose answer was lost is
 * recognised by its metadata, never created twice), every create carries an idempotency key
 * derived from the line id and target, and `stripe_invoice_item_links` records each line.
 */
export async function pushInvoiceToStripe(db: Db, stripe: Stripe, rawInput: PushInvoiceInput, options: { clock: Clock }): Promise<PushInvoiceResult> {
  const input = pushInvoiceInput.parse(rawInput);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from invoices where id = ${input.invoiceId} for update`);
    const { invoice, subscription, lines } = await loadPushableInvoice(tx, input.invoiceId);
    const currency = invoice.currency;
    const pushable = lines.filter((line) => pushedLineKinds.includes(line.kind) && line.amountCents !== 0n);
    const linked = new Set((await tx.select({ id: stripeInvoiceItemLinks.invoiceLineId }).from(stripeInvoiceItemLinks).where(eq(stripeInvoiceItemLinks.invoiceId, invoice.id))).map((row) => row.id));
    const missing = pushable.filter((line) => !linked.has(line.id));

    const stripeInvoice = await findStripePeriodInvoice(stripe, subscription.stripeSubscriptionId, invoice);
    const stripeSubscription = stripeInvoice === null ? await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId) : null;
    const stripeCustomerId = idOf(stripeInvoice?.customer ?? stripeSubscription?.customer);
    if (stripeCustomerId === null) throw new DomainError("precondition", "stripe_customer_missing", `Stripe subscription ${subscription.stripeSubscriptionId} has no customer.`);

    const result: PushInvoiceResult = { invoiceId: invoice.id, stripeInvoiceId: stripeInvoice?.id ?? null, target: "pending", created: 0, recovered: 0, alreadyPushed: pushable.length - missing.length, comparison: null };

    if (missing.length > 0) {
      // What Stripe already holds for these lines (an attempt that executed but whose answer was lost).
      const existing = new Map<string, Stripe.InvoiceItem>();
      for await (const item of stripe.invoiceItems.list({ customer: stripeCustomerId, created: { gte: toSeconds(invoice.periodStart) }, limit: 100 })) {
        const lineId = item.metadata?.[tallyMetadata.lineId];
        if (lineId !== undefined) existing.set(lineId, item);
      }
      if (stripeInvoice !== null && stripeInvoice.status !== "draft") {
        const notOnStripe = missing.filter((line) => !existing.has(line.id));
        if (notOnStripe.length > 0) {
          throw new DomainError(
            "precondition",
            "stripe_invoice_already_finalized",
            `Stripe already finalized ${stripeInvoice.id} for ${invoice.number ?? invoice.id}; ${notOnStripe.length} line(s) did not reach it. Bill them on a one-off invoice or credit note.`,
            { stripeInvoiceId: stripeInvoice.id },
          );
        }
      }
      const target = stripeInvoice?.status === "draft" ? stripeInvoice.id : "pending";
      for (const line of missing) {
        let item = existing.get(line.id);
        if (item !== undefined) {
          result.recovered += 1;
        } else {
          const amount = lineMinor(line, currency);
          item = await stripeWrite(
            db,
            { operation: "invoiceitem.create", objectType: "subscription", objectId: subscription.id, idempotencyKey: billingSyncKeys.invoiceItem(line.id, target) },
            (requestOptions) =>
              stripe.invoiceItems.create(
                {
                  customer: stripeCustomerId,
                  currency,
                  amount: minorToSdkNumber(amount),
                  description: `${line.description}${invoice.number ? ` (${invoice.number})` : ""}`.slice(0, 500),
                  period: { start: toSeconds(line.servicePeriodStart), end: toSeconds(line.servicePeriodEnd) },
                  metadata: { [tallyMetadata.lineId]: line.id, [tallyMetadata.invoiceId]: invoice.id, [tallyMetadata.subscriptionId]: subscription.id },
                  ...(target === "pending" ? { subscription: subscription.stripeSubscriptionId } : { invoice: target }),
                },
                requestOptions,
              ),
          );
          result.created += 1;
        }
        await tx
          .insert(stripeInvoiceItemLinks)
          .values({ invoiceLineId: line.id, invoiceId: invoice.id, stripeInvoiceItemId: item.id, stripeInvoiceId: idOf(item.invoice), amount: BigInt(item.amount), pushedAt: options.clock.now() })
          .onConflictDoNothing();
      }
    }

    if (stripeInvoice !== null) {
      await tx
        .update(invoices)
        .set({ stripeInvoiceId: stripeInvoice.id, updatedAt: options.clock.now() })
        .where(and(eq(invoices.id, invoice.id), or(isNull(invoices.stripeInvoiceId), eq(invoices.stripeInvoiceId, stripeInvoice.id))));
      result.target = stripeInvoice.status === "draft" ? "draft" : "finalized";
      // Stripe finalized before Tally pushed (nothing was missing): compare now, the webhook came too early.
      if (stripeInvoice.status !== "draft") result.comparison = await compareStripeInvoice(tx, stripe, { invoiceId: invoice.id }, options);
    }
    return result;
  });
}
