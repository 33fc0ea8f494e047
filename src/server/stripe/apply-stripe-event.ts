import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { compareFinalizedStripeInvoice } from "@/server/billing-sync/compare-invoice";
import { followStripeInvoiceStatus } from "@/server/billing-sync/follow-invoice-status";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordPaymentFailure, reconcileDunningInvoice, reconcileDunningSubscription } from "@/server/dunning/record-payment-failure";
import { fetchPayoutRecord } from "./fetch-payout-record";
import { getTallyCustomerId } from "./get-stripe-customer-link";
import { postPayout } from "./post-payout";
import { postChargePayment, postInvoicePayment, postRefund } from "./post-stripe-money";
import { upsertStripeCharge, upsertStripeInvoicePayment, upsertStripePaymentIntent, upsertStripeRefund } from "./upsert-payment-mirror";
import { upsertStripePayout } from "./upsert-payout-mirror";
import { idOf, upsertStripeCustomer, upsertStripeInvoice, upsertStripePaymentMethod, upsertStripeSubscription, type MirrorWrite } from "./upsert-mirror";

export type StoredStripeEvent = { id: string; type: string; created: Date; payload: Record<string, unknown> };
export type ApplyStripeEventResult = { outcome: "applied" | "ignored"; note?: string };

/** Refunds listed per charge.refunded event; a charge with more is refunded in more events. */
const refundsPerChargeMax = 100;
/** A payment intent pays one invoice (Stripe allows a few partial payments of one invoice, never many). */
const invoicePaymentsPerIntentMax = 20;

/**
 * Applies one webhook event. Nothing trusts the event's order or its copy of the object: the
 * object is re-fetched from Stripe (its current state), and the mirror write carries the event's
 * `created` so an older event never overwrites what a newer one wrote. Money is posted to the
 * ledger with idempotency keys derived from Stripe ids, so a duplicate posts nothing.
 */
export async function applyStripeEvent(db: Db, stripe: Stripe, clock: Clock, event: StoredStripeEvent): Promise<ApplyStripeEventResult> {
  const object = (event.payload.data as { object?: { id?: string } } | undefined)?.object;
  const objectId = object?.id;
  if (typeof objectId !== "string") return { outcome: "ignored", note: "event has no object id" };
  const write = (customerId: string | null): MirrorWrite => ({ customerId, eventCreated: event.created, now: clock.now() });
  const [family] = event.type.split(".");

  if (event.type.startsWith("customer.subscription.")) {
    const subscription = await stripe.subscriptions.retrieve(objectId);
    const customerId = await getTallyCustomerId(db, idOf(subscription.customer), subscription.metadata);
    await upsertStripeSubscription(db, subscription, write(customerId));
    await reconcileDunningSubscription(db, clock, subscription);
    return { outcome: "applied" };
  }
  if (family === "customer" && /^customer\.(created|updated|deleted)$/.test(event.type)) {
    const customer = await stripe.customers.retrieve(objectId);
    const metadata = "deleted" in customer && customer.deleted ? null : (customer as Stripe.Customer).metadata;
    const customerId = await getTallyCustomerId(db, customer.id, metadata);
    await upsertStripeCustomer(db, customer, write(customerId), event.created.getTime() / 1000);
    return { outcome: "applied" };
  }
  if (family === "invoice") {
    const invoice = await stripe.invoices.retrieve(objectId, { expand: ["payments"] });
    const customerId = await requireTallyCustomer(db, stripe, idOf(invoice.customer));
    await upsertStripeInvoice(db, invoice, write(customerId));
    for (const payment of invoice.payments?.data ?? []) await upsertStripeInvoicePayment(db, payment, write(customerId));
    // Any invoice event may be the first to see it paid (invoice.paid could be lost or late).
    const posted = await postInvoicePayment(db, clock, invoice, customerId);
    // Billing sync: Stripe's finalized invoice vs Tally's, line by line (discrepancies recorded).
    if (event.type === "invoice.finalized") await compareFinalizedStripeInvoice(db, stripe, clock, invoice);
    // Tally's invoice status follows Stripe's (invoice.paid / voided / marked_uncollectible). Read from the re-fetched
    // invoice on every invoice event, forwards only: a paid event processed before the link (finalized) is caught up.
    await followStripeInvoiceStatus(db, clock, invoice);
    if (event.type === "invoice.payment_failed") await recordPaymentFailure(db, clock, { customerId, invoice, snapshot: object, eventCreated: event.created });
    else await reconcileDunningInvoice(db, clock, invoice);
    return { outcome: "applied", note: posted === "skipped" ? undefined : `payment ${posted}` };
  }
  if (family === "payment_method") {
    const paymentMethod = await stripe.paymentMethods.retrieve(objectId);
    const stripeCustomerId = idOf(paymentMethod.customer) ?? idOf((event.payload.data as { previous_attributes?: { customer?: string } }).previous_attributes?.customer ?? null);
    await upsertStripePaymentMethod(db, paymentMethod, write(await getTallyCustomerId(db, stripeCustomerId)));
    return { outcome: "applied" };
  }
  if (event.type === "refund.created" || event.type === "refund.updated" || event.type === "refund.failed" || event.type === "charge.refund.updated") {
    const refund = await stripe.refunds.retrieve(objectId);
    return postRefundOf(db, stripe, clock, refund, event.created);
  }
  if (family === "payment_intent") {
    const paymentIntent = await stripe.paymentIntents.retrieve(objectId);
    const customerId = await getTallyCustomerId(db, idOf(paymentIntent.customer));
    await upsertStripePaymentIntent(db, paymentIntent, write(customerId));
    await mirrorInvoicePaymentsOf(db, stripe, paymentIntent.id, write(customerId));
    return { outcome: "applied" };
  }
  if (/^charge\.(succeeded|failed|refunded|captured|expired|pending|updated)$/.test(event.type)) {
    return applyChargeEvent(db, stripe, clock, objectId, event.created, write);
  }
  if (family === "payout") {
    // Any payout event re-reads the payout: the first to see it paid (or failed) posts it, once.
    const record = await fetchPayoutRecord(stripe, objectId);
    await upsertStripePayout(db, record, { eventCreated: event.created, now: clock.now() });
    const posted = await postPayout(db, clock, record, { failedAt: event.created });
    return { outcome: "applied", note: `payout ${record.status}, ledger ${posted}` };
  }
  if (family === "invoice_payment") {
    const payment = await stripe.invoicePayments.retrieve(objectId);
    const invoice = await stripe.invoices.retrieve(idOf(payment.invoice as string | { id: string }) ?? "");
    await upsertStripeInvoicePayment(db, payment, write(await getTallyCustomerId(db, idOf(invoice.customer))));
    return { outcome: "applied" };
  }
  return { outcome: "ignored", note: `${event.type} is not used by Tally` };
}

/**
 * A charge: mirrored with its card and failure reason, with its refunds, and linked to the
 * invoice it paid (Stripe's invoice payments). A succeeded charge that paid no invoice (a
 * payment intent made outside an invoice) is cash all the same: Dr `cash:stripe` / Cr the
 * customer's receivable (a credit balance), once per charge; a charge that paid an invoice is
 * posted by the invoice's `paid` event instead.
 */
async function applyChargeEvent(db: Db, stripe: Stripe, clock: Clock, chargeId: string, eventCreated: Date, write: (customerId: string | null) => MirrorWrite): Promise<ApplyStripeEventResult> {
  const charge = await stripe.charges.retrieve(chargeId);
  const stripeCustomerId = idOf(charge.customer);
  const customerId = await getTallyCustomerId(db, stripeCustomerId);
  await upsertStripeCharge(db, charge, write(customerId));
  const paymentIntentId = idOf(charge.payment_intent);
  const links = paymentIntentId === null ? [] : await mirrorInvoicePaymentsOf(db, stripe, paymentIntentId, write(customerId));
  const notes: string[] = [];
  if (charge.status === "succeeded" && charge.captured && charge.amount_captured > 0 && !links.some((link) => link.status === "paid")) {
    const payer = customerId ?? (await requireTallyCustomer(db, stripe, stripeCustomerId));
    notes.push(`charge ${await postChargePayment(db, clock, charge, payer)}`);
  }
  if (charge.amount_refunded > 0) {
    const refunds = await stripe.refunds.list({ charge: charge.id, limit: refundsPerChargeMax });
    for (const refund of refunds.data) notes.push((await postRefundOf(db, stripe, clock, refund, eventCreated, charge)).note ?? "");
  }
  return { outcome: "applied", note: notes.length > 0 ? notes.join(", ") : undefined };
}

/** Mirrors the invoice payments made with one payment intent (normally one, or none outside invoices). */
async function mirrorInvoicePaymentsOf(db: Db, stripe: Stripe, paymentIntentId: string, write: MirrorWrite): Promise<Stripe.InvoicePayment[]> {
  const payments = await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntentId }, limit: invoicePaymentsPerIntentMax });
  for (const payment of payments.data) await upsertStripeInvoicePayment(db, payment, write);
  return payments.data;
}

async function postRefundOf(db: Db, stripe: Stripe, clock: Clock, refund: Stripe.Refund, eventCreated: Date, knownCharge?: Stripe.Charge): Promise<ApplyStripeEventResult> {
  const chargeId = idOf(refund.charge);
  if (chargeId === null) return { outcome: "ignored", note: `refund ${refund.id} has no charge` };
  const charge = knownCharge ?? (await stripe.charges.retrieve(chargeId));
  const customerId = await requireTallyCustomer(db, stripe, idOf(charge.customer));
  await upsertStripeRefund(db, refund, { customerId, eventCreated, now: clock.now() });
  const posted = await postRefund(db, clock, refund, customerId);
  return { outcome: "applied", note: `refund ${refund.id} ${posted}` };
}

/**
 * Money needs a Tally customer. An unlinked Stripe customer fails the event (retried, then
 * parked): once the customer is linked, an admin replays it.
 */
async function requireTallyCustomer(db: Db, stripe: Stripe, stripeCustomerId: string | null): Promise<string> {
  let customerId = await getTallyCustomerId(db, stripeCustomerId);
  if (customerId === null && stripeCustomerId !== null) {
    const customer = await stripe.customers.retrieve(stripeCustomerId);
    if (!("deleted" in customer && customer.deleted)) customerId = await getTallyCustomerId(db, stripeCustomerId, (customer as Stripe.Customer).metadata);
  }
  if (customerId === null) {
    throw new DomainError("precondition", "stripe_customer_unlinked", `Stripe customer ${stripeCustomerId ?? "(none)"} is not linked to a Tally customer; sync or link it, then replay the event.`);
  }
  return customerId;
}
