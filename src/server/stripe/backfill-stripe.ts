import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeBackfillCursors, stripeCharges } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { getTallyCustomerId } from "./get-stripe-customer-link";
import { idOf, upsertStripeCustomer, upsertStripeInvoice, upsertStripeSubscription } from "./upsert-mirror";
import { fetchPayoutRecord } from "./fetch-payout-record";
import { upsertStripeCharge, upsertStripeInvoicePayment, upsertStripePaymentIntent, upsertStripeRefund } from "./upsert-payment-mirror";
import { upsertStripePayout } from "./upsert-payout-mirror";

export const backfillResources = ["customers", "subscriptions", "invoices", "payment_intents", "charges", "refunds", "payouts"] as const;
export type BackfillResource = (typeof backfillResources)[number];

export type BackfillStripeOptions = {
  log: (message: string) => void;
  /** Stripe's list maximum is 100. */
  pageSize?: number;
  /** Pages per resource per run; a run that stops here resumes from the stored cursor. */
  pagesMax?: number;
  /** Start over instead of resuming (forgets stored cursors). */
  restart?: boolean;
};
export type BackfillStripeResult = Record<BackfillResource, { stored: number; pages: number; complete: boolean }>;

/**
 * Pulls existing Stripe customers, subscriptions, invoices (with their invoice payments), payment
 * intents, charges, refunds and payouts (with the balance transactions each paid out) into the mirror, page by page with
 * `starting_after`, storing the cursor after every page so an interrupted run resumes where it
 * stopped. Writes carry no event time, so they never block a later webhook. The backfill fills the
 * mirror only: money reaches the ledger from webhook events (each posting keyed by its Stripe id).
 */
export async function backfillStripe(db: Db, stripe: Stripe, clock: Clock, options: BackfillStripeOptions): Promise<BackfillStripeResult> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 100, 1), 100);
  const pagesMax = Math.min(Math.max(options.pagesMax ?? 1000, 1), 100_000);
  const result = {} as BackfillStripeResult;
  for (const resource of backfillResources) {
    if (options.restart) await db.delete(stripeBackfillCursors).where(eq(stripeBackfillCursors.resource, resource));
    const [state] = await db.select().from(stripeBackfillCursors).where(eq(stripeBackfillCursors.resource, resource));
    if (state?.completedAt) {
      options.log(`${resource}: already complete (${state.objectsStored} stored); pass --restart to pull again`);
      result[resource] = { stored: 0, pages: 0, complete: true };
      continue;
    }
    let cursor = state?.cursor ?? undefined;
    let stored = 0;
    let pages = 0;
    let complete = false;
    while (pages < pagesMax) {
      const page = await listPage(stripe, resource, pageSize, cursor);
      for (const object of page.data) await storeObject(db, stripe, clock, resource, object);
      pages += 1;
      stored += page.data.length;
      cursor = page.data[page.data.length - 1]?.id ?? cursor;
      complete = !page.has_more;
      await saveCursor(db, resource, cursor ?? null, page.data.length, complete ? clock.now() : null, clock.now());
      options.log(`${resource}: page ${pages}, ${stored} stored${complete ? ", complete" : ""}`);
      if (complete) break;
    }
    result[resource] = { stored, pages, complete };
  }
  return result;
}

type Listed = { data: { id: string }[]; has_more: boolean };

function listPage(stripe: Stripe, resource: BackfillResource, limit: number, startingAfter: string | undefined): Promise<Listed> {
  const page = { limit, ...(startingAfter ? { starting_after: startingAfter } : {}) };
  if (resource === "customers") return stripe.customers.list(page);
  if (resource === "subscriptions") return stripe.subscriptions.list({ ...page, status: "all" });
  if (resource === "invoices") return stripe.invoices.list({ ...page, expand: ["data.payments"] });
  if (resource === "payment_intents") return stripe.paymentIntents.list(page);
  if (resource === "charges") return stripe.charges.list(page);
  if (resource === "payouts") return stripe.payouts.list(page);
  return stripe.refunds.list(page);
}

async function storeObject(db: Db, stripe: Stripe, clock: Clock, resource: BackfillResource, object: { id: string }): Promise<void> {
  const write = (customerId: string | null) => ({ customerId, eventCreated: null, now: clock.now() });
  if (resource === "customers") {
    const customer = object as Stripe.Customer;
    await upsertStripeCustomer(db, customer, write(await getTallyCustomerId(db, customer.id, customer.metadata)));
  } else if (resource === "subscriptions") {
    const subscription = object as Stripe.Subscription;
    const customerId = await getTallyCustomerId(db, idOf(subscription.customer), subscription.metadata);
    await upsertStripeSubscription(db, subscription, write(customerId));
  } else if (resource === "invoices") {
    const invoice = object as Stripe.Invoice;
    const customerId = await getTallyCustomerId(db, idOf(invoice.customer));
    await upsertStripeInvoice(db, invoice, write(customerId));
    for (const payment of invoice.payments?.data ?? []) await upsertStripeInvoicePayment(db, payment, write(customerId));
  } else if (resource === "payment_intents") {
    const paymentIntent = object as Stripe.PaymentIntent;
    await upsertStripePaymentIntent(db, paymentIntent, write(await getTallyCustomerId(db, idOf(paymentIntent.customer))));
  } else if (resource === "charges") {
    const charge = object as Stripe.Charge;
    await upsertStripeCharge(db, charge, write(await getTallyCustomerId(db, idOf(charge.customer))));
  } else if (resource === "payouts") {
    await upsertStripePayout(db, await fetchPayoutRecord(stripe, object as Stripe.Payout), { eventCreated: null, now: clock.now() });
  } else {
    const refund = object as Stripe.Refund;
    await upsertStripeRefund(db, refund, write(await customerOfCharge(db, idOf(refund.charge))));
  }
}

async function saveCursor(db: Db, resource: BackfillResource, cursor: string | null, pageCount: number, completedAt: Date | null, now: Date): Promise<void> {
  await db
    .insert(stripeBackfillCursors)
    .values({ resource, cursor, objectsStored: pageCount, completedAt, updatedAt: now })
    .onConflictDoUpdate({
      target: stripeBackfillCursors.resource,
      set: { cursor, objectsStored: sql`${stripeBackfillCursors.objectsStored} + ${pageCount}`, completedAt, updatedAt: now },
    });
}

/** Charges come before refunds in the backfill, so a refund's customer is its charge's. */
async function customerOfCharge(db: Db, chargeId: string | null): Promise<string | null> {
  if (chargeId === null) return null;
  const [charge] = await db.select({ customerId: stripeCharges.customerId }).from(stripeCharges).where(eq(stripeCharges.stripeId, chargeId));
  return charge?.customerId ?? null;
}
