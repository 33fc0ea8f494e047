import { and, eq, isNull, notInArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoiceDiscrepancies, invoices, stripeInvoiceChecks, subscriptions, type Invoice } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { microsPerCent } from "@/server/invoicing/money";
import { microsToStripeMinor } from "@/server/stripe/money";
import { idOf, lineMinor, loadPushableInvoice, pushedLineKinds, tallyMetadata } from "./stripe-refs";

export type Discrepancy = { field: string; description: string; tallyValue: bigint | null; stripeValue: bigint | null };
export type CompareStripeInvoiceResult = { invoiceId: string; stripeInvoiceId: string; stripeStatus: string; matches: boolean; discrepancies: Discrepancy[] };

/**
 * Compares Tally's invoice with Stripe's (after Stripe finalized it), in the minor unit:
 * - `total`: Stripe's total vs Tally's `total_cents`;
 * - `base_fee`: Stripe's subscription-item lines vs Tally's base-fee lines;
 * - `line:<id>`: each Stripe line carrying `tally_invoice_line_id` vs that Tally line;
 * - `line_missing:<id>`: a Tally line that should be on Stripe and is not;
 * - `stripe_line:<id>`: any other Stripe line (Tally does not know it).
 * The result replaces the invoice's discrepancies (rows that still differ keep `detected_at`)
 * and is recorded in `stripe_invoice_checks`, so running it again changes nothing.
 */
export async function compareStripeInvoice(db: Db, stripe: Stripe, input: { invoiceId: string; stripeInvoice?: Stripe.Invoice }, options: { clock: Clock }): Promise<CompareStripeInvoiceResult> {
  const { invoice, lines } = await loadPushableInvoice(db, input.invoiceId, ["period", "threshold", "proration", "opening", "credit_purchase"]);
  const stripeInvoiceId = input.stripeInvoice?.id ?? invoice.stripeInvoiceId;
  if (stripeInvoiceId === null) throw new DomainError("precondition", "invoice_not_pushed", `Invoice ${invoice.id} is not linked to a Stripe invoice yet.`);
  const stripeInvoice = input.stripeInvoice ?? (await stripe.invoices.retrieve(stripeInvoiceId));
  const currency = invoice.currency;
  if (stripeInvoice.currency.toLowerCase() !== currency.toLowerCase()) {
    throw new DomainError("precondition", "stripe_invoice_currency_mismatch", `Stripe invoice ${stripeInvoice.id} is in ${stripeInvoice.currency}, Tally's ${invoice.id} in ${currency}.`);
  }
  const stripeLines: Stripe.InvoiceLineItem[] = [];
  for await (const line of stripe.invoices.listLineItems(stripeInvoice.id, { limit: 100 })) stripeLines.push(line);

  const discrepancies: Discrepancy[] = [];
  const differ = (field: string, description: string, tallyValue: bigint | null, stripeValue: bigint | null) => {
    if (tallyValue !== stripeValue) discrepancies.push({ field, description, tallyValue, stripeValue });
  };
  differ("total", "Invoice total", microsToStripeMinor(invoice.totalCents * microsPerCent, currency), BigInt(stripeInvoice.total));

  // Stripe's own subscription lines: the price in advance and its prorations (Tally's base-fee and proration lines).
  const isSubscriptionLine = (line: Stripe.InvoiceLineItem) => line.parent?.subscription_item_details != null || line.parent?.invoice_item_details?.proration === true;
  const tallyBaseFee = lines.filter((line) => line.kind === "base_fee" || line.kind === "proration").reduce((sum, line) => sum + lineMinor(line, currency), 0n);
  const stripeBaseFee = stripeLines.filter((line) => isSubscriptionLine(line) && line.metadata?.[tallyMetadata.lineId] === undefined).reduce((sum, line) => sum + BigInt(line.amount), 0n);
  differ("base_fee", "Subscription fee (Stripe's subscription line)", tallyBaseFee, stripeBaseFee);

  const tallyLines = new Map(lines.map((line) => [line.id, line]));
  const seen = new Set<string>();
  for (const line of stripeLines) {
    const lineId = line.metadata?.[tallyMetadata.lineId];
    if (lineId !== undefined) {
      const tally = tallyLines.get(lineId);
      if (seen.has(lineId)) differ(`stripe_line:${line.id}`, `Duplicate of Tally line ${lineId}: ${line.description ?? ""}`, null, BigInt(line.amount));
      else differ(`line:${lineId}`, tally?.description ?? `Unknown Tally line ${lineId}`, tally === undefined ? null : lineMinor(tally, currency), BigInt(line.amount));
      seen.add(lineId);
    } else if (!isSubscriptionLine(line)) {
      differ(`stripe_line:${line.id}`, line.description ?? "Stripe line unknown to Tally", null, BigInt(line.amount));
    }
  }
  for (const line of lines) {
    if (!pushedLineKinds.includes(line.kind) || line.amountCents === 0n || seen.has(line.id)) continue;
    differ(`line_missing:${line.id}`, line.description, lineMinor(line, currency), null);
  }

  const now = options.clock.now();
  const fields = discrepancies.map((item) => item.field);
  await db.delete(invoiceDiscrepancies).where(fields.length === 0 ? eq(invoiceDiscrepancies.invoiceId, invoice.id) : and(eq(invoiceDiscrepancies.invoiceId, invoice.id), notInArray(invoiceDiscrepancies.field, fields)));
  for (const item of discrepancies) {
    await db
      .insert(invoiceDiscrepancies)
      .values({ invoiceId: invoice.id, field: item.field, stripeInvoiceId: stripeInvoice.id, description: item.description.slice(0, 500), tallyValue: item.tallyValue, stripeValue: item.stripeValue, detectedAt: now })
      .onConflictDoUpdate({
        target: [invoiceDiscrepancies.invoiceId, invoiceDiscrepancies.field],
        set: { stripeInvoiceId: stripeInvoice.id, description: item.description.slice(0, 500), tallyValue: item.tallyValue, stripeValue: item.stripeValue },
      });
  }
  const check = { stripeInvoiceId: stripeInvoice.id, stripeStatus: stripeInvoice.status ?? "unknown", stripeTotal: BigInt(stripeInvoice.total), discrepancies: discrepancies.length, checkedAt: now };
  await db.insert(stripeInvoiceChecks).values({ invoiceId: invoice.id, ...check }).onConflictDoUpdate({ target: stripeInvoiceChecks.invoiceId, set: check });
  return { invoiceId: invoice.id, stripeInvoiceId: stripeInvoice.id, stripeStatus: check.stripeStatus, matches: discrepancies.length === 0, discrepancies };
}

/**
 * The `invoice.finalized` hook (apply-stripe-event.ts): finds the Tally invoice Stripe's invoice
 * belongs to — by `stripe_invoice_id`, else by a pushed line's `tally_invoice_id`, else as the
 * period invoice of the Tally subscription with the same period, else (Stripe's
 * `subscription_create` invoice) as the subscription's unlinked `opening` invoice — links it and
 * compares. An invoice Tally has no counterpart for (e.g. a trial's $0 first invoice) is skipped.
 */
export async function compareFinalizedStripeInvoice(db: Db, stripe: Stripe, clock: Clock, stripeInvoice: Stripe.Invoice): Promise<CompareStripeInvoiceResult | null> {
  const invoice = await findTallyInvoice(db, stripeInvoice);
  // Only finalized invoices are compared; a draft or void one must not fail the webhook. Threshold and proration
  // invoices are found by their link or their items' metadata, never by period.
  if (invoice === null || invoice.status === "draft" || invoice.status === "void") return null;
  if (invoice.stripeInvoiceId === null) {
    await db.update(invoices).set({ stripeInvoiceId: stripeInvoice.id, updatedAt: clock.now() }).where(and(eq(invoices.id, invoice.id), isNull(invoices.stripeInvoiceId)));
  } else if (invoice.stripeInvoiceId !== stripeInvoice.id) {
    return null;
  }
  return compareStripeInvoice(db, stripe, { invoiceId: invoice.id, stripeInvoice }, { clock });
}

async function findTallyInvoice(db: Db, stripeInvoice: Stripe.Invoice): Promise<Invoice | null> {
  const [linked] = await db.select().from(invoices).where(eq(invoices.stripeInvoiceId, stripeInvoice.id));
  if (linked) return linked;
  const firstLine = stripeInvoice.lines.data.find((line) => line.metadata?.[tallyMetadata.invoiceId] !== undefined);
  const tallyInvoiceId = firstLine?.metadata?.[tallyMetadata.invoiceId];
  if (tallyInvoiceId !== undefined && /^[0-9a-f-]{36}$/.test(tallyInvoiceId)) {
    const [byMetadata] = await db.select().from(invoices).where(eq(invoices.id, tallyInvoiceId));
    if (byMetadata) return byMetadata;
  }
  const stripeSubscriptionId = idOf(stripeInvoice.parent?.subscription_details?.subscription ?? null);
  if (stripeSubscriptionId === null) return null;
  const [byPeriod] = await db
    .select({ invoice: invoices })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(
      and(
        eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId),
        eq(invoices.kind, "period"),
        sql`${invoices.periodStart} = to_timestamp(${stripeInvoice.period_start})`,
        sql`${invoices.periodEnd} = to_timestamp(${stripeInvoice.period_end})`,
      ),
    );
  if (byPeriod) return byPeriod.invoice;
  if (stripeInvoice.billing_reason !== "subscription_create") return null;
  // The opening invoice of a subscription without trial (a trial's opening invoice is linked by `linkOpeningInvoice`).
  const [opening] = await db
    .select({ invoice: invoices })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(and(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId), eq(invoices.kind, "opening"), isNull(invoices.stripeInvoiceId), isNull(subscriptions.trialEnd)));
  return opening?.invoice ?? null;
}
