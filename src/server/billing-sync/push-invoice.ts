import { and, eq, isNull, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { invoices, stripeInvoiceItemLinks, type InvoiceLine } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { minorToSdkNumber } from "@/server/stripe/money";
import { stripeWrite } from "@/server/stripe/stripe-write";
import { compareStripeInvoice, type CompareStripeInvoiceResult } from "./compare-invoice";
import { billingSyncKeys, findStripePeriodInvoice, idOf, lineMinor, loadPushableInvoice, pushedLineKinds, tallyMetadata, toSeconds, type PushableInvoice } from "./stripe-refs";

export const pushInvoiceInput = z.object({ invoiceId: z.uuid() });
export type PushInvoiceInput = z.infer<typeof pushInvoiceInput>;

export type PushInvoiceResult = {
  invoiceId: string;
  /** The Stripe invoice the lines are on; null while they wait as pending items for the next renewal. */
  stripeInvoiceId: string | null;
  /** `standalone`: a threshold invoice billed on its own Stripe invoice (finalized, charged by Stripe). */
  target: "draft" | "pending" | "finalized" | "standalone";
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
    const loaded = await loadPushableInvoice(tx, input.invoiceId, ["period", "threshold", "credit_purchase"]);
    if (loaded.invoice.kind === "threshold" || loaded.invoice.kind === "credit_purchase") return pushStandaloneInvoice(tx, db, stripe, loaded, options);
    const { invoice, subscription, lines } = loaded;
    const { pushable, missing } = await linesToPush(tx, invoice.id, lines);

    const stripeInvoice = await findStripePeriodInvoice(stripe, subscription.stripeSubscriptionId, invoice);
    const stripeSubscription = stripeInvoice === null ? await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId) : null;
    const stripeCustomerId = idOf(stripeInvoice?.customer ?? stripeSubscription?.customer);
    if (stripeCustomerId === null) throw new DomainError("precondition", "stripe_customer_missing", `Stripe subscription ${subscription.stripeSubscriptionId} has no customer.`);

    const result: PushInvoiceResult = { invoiceId: invoice.id, stripeInvoiceId: stripeInvoice?.id ?? null, target: "pending", created: 0, recovered: 0, alreadyPushed: pushable.length - missing.length, comparison: null };

    if (missing.length > 0) {
      const existing = await existingItems(stripe, stripeCustomerId, invoice.periodStart);
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
      const counts = await createItems(tx, db, stripe, loaded, missing, existing, stripeCustomerId, target, options);
      result.created += counts.created;
      result.recovered += counts.recovered;
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

async function linesToPush(db: Db, invoiceId: string, lines: readonly InvoiceLine[]): Promise<{ pushable: InvoiceLine[]; missing: InvoiceLine[] }> {
  const pushable = lines.filter((line) => pushedLineKinds.includes(line.kind) && line.amountCents !== 0n);
  const linked = new Set((await db.select({ id: stripeInvoiceItemLinks.invoiceLineId }).from(stripeInvoiceItemLinks).where(eq(stripeInvoiceItemLinks.invoiceId, invoiceId))).map((row) => row.id));
  return { pushable, missing: pushable.filter((line) => !linked.has(line.id)) };
}

/** What Stripe already holds for the invoice's lines (an attempt that executed but whose answer was lost), by Tally line id. */
async function existingItems(stripe: Stripe, stripeCustomerId: string, since: Date): Promise<Map<string, Stripe.InvoiceItem>> {
  const existing = new Map<string, Stripe.InvoiceItem>();
  for await (const item of stripe.invoiceItems.list({ customer: stripeCustomerId, created: { gte: toSeconds(since) }, limit: 100 })) {
    const lineId = item.metadata?.[tallyMetadata.lineId];
    if (lineId !== undefined) existing.set(lineId, item);
  }
  return existing;
}

/**
 * One Stripe invoice item per missing line (amount = the line's cents in the minor unit), onto
 * `target` (a draft invoice id, or `pending` on the subscription), each recorded in
 * `stripe_invoice_item_links`; items Stripe already holds are only recorded.
 */
async function createItems(
  tx: Db,
  db: Db,
  stripe: Stripe,
  { invoice, subscription }: PushableInvoice,
  missing: readonly InvoiceLine[],
  existing: ReadonlyMap<string, Stripe.InvoiceItem>,
  stripeCustomerId: string,
  target: string,
  options: { clock: Clock },
): Promise<{ created: number; recovered: number }> {
  const counts = { created: 0, recovered: 0 };
  for (const line of missing) {
    let item = existing.get(line.id);
    if (item !== undefined) {
      counts.recovered += 1;
    } else {
      const amount = lineMinor(line, invoice.currency);
      item = await stripeWrite(
        db,
        { operation: "invoiceitem.create", objectType: "subscription", objectId: subscription.id, idempotencyKey: billingSyncKeys.invoiceItem(line.id, target) },
        (requestOptions) =>
          stripe.invoiceItems.create(
            {
              customer: stripeCustomerId,
              currency: invoice.currency,
              amount: minorToSdkNumber(amount),
              description: `${line.description}${invoice.number ? ` (${invoice.number})` : ""}`.slice(0, 500),
              period: { start: toSeconds(line.servicePeriodStart), end: toSeconds(line.servicePeriodEnd) },
              metadata: { [tallyMetadata.lineId]: line.id, [tallyMetadata.invoiceId]: invoice.id, [tallyMetadata.subscriptionId]: subscription.id },
              ...(target === "pending" ? { subscription: subscription.stripeSubscriptionId } : { invoice: target }),
            },
            requestOptions,
          ),
      );
      counts.created += 1;
    }
    await tx
      .insert(stripeInvoiceItemLinks)
      .values({ invoiceLineId: line.id, invoiceId: invoice.id, stripeInvoiceItemId: item.id, stripeInvoiceId: idOf(item.invoice), amount: BigInt(item.amount), pushedAt: options.clock.now() })
      .onConflictDoNothing();
  }
  return counts;
}

/**
 * A threshold invoice is billed on its own Stripe invoice, not the renewal: a draft for the
 * customer (`pending_invoice_items_behavior: exclude`, metadata `tally_invoice_id`; found again by
 * that metadata before creating, key `tally:invoice:<id>:stripe-invoice`), one item per line
 * explicitly on it (the same item path as period invoices, target = the draft), then finalized
 * with `auto_advance` so Stripe charges it; `invoice.paid` books the payment as for any invoice.
 * `stripe_invoice_id` is set once the draft exists; a rerun resumes where the last one stopped.
 */
async function pushStandaloneInvoice(tx: Db, db: Db, stripe: Stripe, loaded: PushableInvoice, options: { clock: Clock }): Promise<PushInvoiceResult> {
  const { invoice, subscription, lines } = loaded;
  const { pushable, missing } = await linesToPush(tx, invoice.id, lines);
  const result: PushInvoiceResult = { invoiceId: invoice.id, stripeInvoiceId: invoice.stripeInvoiceId, target: "standalone", created: 0, recovered: 0, alreadyPushed: pushable.length - missing.length, comparison: null };
  if (pushable.length === 0 && invoice.stripeInvoiceId === null) return result; // nothing to bill in Stripe (e.g. all covered by credits)
  const stripeSubscription = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  const stripeCustomerId = idOf(stripeSubscription.customer);
  if (stripeCustomerId === null) throw new DomainError("precondition", "stripe_customer_missing", `Stripe subscription ${subscription.stripeSubscriptionId} has no customer.`);
  let stripeInvoice = invoice.stripeInvoiceId !== null ? await stripe.invoices.retrieve(invoice.stripeInvoiceId) : await findStandaloneInvoice(stripe, stripeCustomerId, invoice.id, invoice.createdAt);
  if (stripeInvoice === null) {
    stripeInvoice = await stripeWrite(db, { operation: "invoice.create", objectType: "subscription", objectId: subscription.id, idempotencyKey: billingSyncKeys.standaloneInvoice(invoice.id) }, (requestOptions) =>
      stripe.invoices.create(
        {
          customer: stripeCustomerId,
          currency: invoice.currency,
          collection_method: "charge_automatically",
          auto_advance: true,
          pending_invoice_items_behavior: "exclude",
          description: `${invoice.kind === "credit_purchase" ? "Prepaid credit" : "Usage billed at threshold"}${invoice.number ? ` (${invoice.number})` : ""}`,
          metadata: { [tallyMetadata.invoiceId]: invoice.id, [tallyMetadata.subscriptionId]: subscription.id },
        },
        requestOptions,
      ),
    );
  }
  result.stripeInvoiceId = stripeInvoice.id;
  await tx
    .update(invoices)
    .set({ stripeInvoiceId: stripeInvoice.id, updatedAt: options.clock.now() })
    .where(and(eq(invoices.id, invoice.id), or(isNull(invoices.stripeInvoiceId), eq(invoices.stripeInvoiceId, stripeInvoice.id))));
  if (missing.length > 0) {
    const existing = await existingItems(stripe, stripeCustomerId, invoice.createdAt);
    if (stripeInvoice.status !== "draft" && missing.some((line) => !existing.has(line.id))) {
      throw new DomainError("precondition", "stripe_invoice_already_finalized", `Stripe already finalized ${stripeInvoice.id} for ${invoice.number ?? invoice.id} without all its lines.`, { stripeInvoiceId: stripeInvoice.id });
    }
    const counts = await createItems(tx, db, stripe, loaded, missing, existing, stripeCustomerId, stripeInvoice.id, options);
    result.created = counts.created;
    result.recovered = counts.recovered;
  }
  if (stripeInvoice.status === "draft") {
    const draftId = stripeInvoice.id;
    stripeInvoice = await stripeWrite(db, { operation: "invoice.finalize", objectType: "subscription", objectId: subscription.id, idempotencyKey: billingSyncKeys.standaloneFinalize(invoice.id) }, (requestOptions) =>
      stripe.invoices.finalizeInvoice(draftId, { auto_advance: true }, requestOptions),
    );
  }
  result.comparison = await compareStripeInvoice(tx, stripe, { invoiceId: invoice.id, stripeInvoice }, options);
  return result;
}

async function findStandaloneInvoice(stripe: Stripe, stripeCustomerId: string, invoiceId: string, since: Date): Promise<Stripe.Invoice | null> {
  for await (const candidate of stripe.invoices.list({ customer: stripeCustomerId, created: { gte: toSeconds(since) - 86_400 }, limit: 100 })) {
    if (candidate.metadata?.[tallyMetadata.invoiceId] === invoiceId && candidate.status !== "void") return candidate;
  }
  return null;
}
