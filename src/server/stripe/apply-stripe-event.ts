import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { compareFinalizedStripeInvoice } from "@/server/billing-sync/compare-invoice";
import { followStripeInvoiceStatus } from "@/server/billing-sync/follow-invoice-status";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordPaymentFailure, reconcileDunningInvoice, reconcileDunningSubscription } from "@/server/dunning/record-payment-failure";
import { getTallyCustomerId } from "./get-stripe-customer-link";
import { postInvoicePayment, postRefund } from "./post-stripe-money";
import { idOf, upsertStripeCustomer, upsertStripeInvoice, upsertStripePaymentMethod, upsertStripeSubscription, type MirrorWrite } from "./upsert-mirror";

export type StoredStripeEvent = { id: string; type: string; created: Date; payload: Record<string, unknown> };
export type ApplyStripeEventResult = { outcome: "applied" | "ignored"; note?: string };

/** Refunds listed per charge.refunded event; a charge with more is refunded in more events. */
const refundsPerChargeMax = 100;

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
    const invoice = await stripe.invoices.retrieve(objectId);
    const customerId = await requireTallyCustomer(db, stripe, idOf(invoice.customer));
    await upsertStripeInvoice(db, invoice, write(customerId));
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
  if (event.type === "refund.created" || event.type === "refund.updated") {
    const refund = await stripe.refunds.retrieve(objectId);
    return postRefundOf(db, stripe, clock, refund);
  }
  if (event.type === "charge.refunded") {
    const refunds = await stripe.refunds.list({ charge: objectId, limit: refundsPerChargeMax });
    const notes: string[] = [];
    for (const refund of refunds.data) notes.push((await postRefundOf(db, stripe, clock, refund)).note ?? "");
    return { outcome: "applied", note: notes.join(", ") };
  }
  return { outcome: "ignored", note: `${event.type} is not used by Tally` };
}

async function postRefundOf(db: Db, stripe: Stripe, clock: Clock, refund: Stripe.Refund): Promise<ApplyStripeEventResult> {
  const chargeId = idOf(refund.charge);
  if (chargeId === null) return { outcome: "ignored", note: `refund ${refund.id} has no charge` };
  const charge = await stripe.charges.retrieve(chargeId);
  const customerId = await requireTallyCustomer(db, stripe, idOf(charge.customer));
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
