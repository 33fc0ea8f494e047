import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeCustomers, stripeInvoices, stripePaymentMethods, stripeSubscriptions } from "@/db/schema";

/**
 * Writes Stripe objects into the mirror tables. Each write carries the `created` of the event
 * that caused it (null for a sync or backfill, which write what Stripe answered just now) and
 * lands only if no newer event has been applied: `last_event_created` never moves backwards, so
 * a delayed or reordered event cannot overwrite fresher state.
 */
export type MirrorWrite = {
  /** Tally customer id, when known. */
  customerId: string | null;
  eventCreated: Date | null;
  now: Date;
};

const fromUnix = (seconds: number | null | undefined): Date | null => (seconds === null || seconds === undefined ? null : new Date(seconds * 1000));
const idOf = (value: string | { id: string } | null | undefined): string | null => (value === null || value === undefined ? null : typeof value === "string" ? value : value.id);

/** A mirror table: every one has `customer_id` and `last_event_created`. */
export type MirrorTable = typeof stripeCustomers | typeof stripeSubscriptions | typeof stripeInvoices | typeof stripePaymentMethods | { customerId: AnyPgColumn; lastEventCreated: AnyPgColumn };

/** Postgres: the row may be replaced by an event no older than the newest one applied. */
export function notStale(table: MirrorTable) {
  return sql`${table.lastEventCreated} is null or excluded.last_event_created is null or excluded.last_event_created >= ${table.lastEventCreated}`;
}

export function common(write: MirrorWrite, table: MirrorTable) {
  return {
    // Keep a link once known: a later object without the metadata must not erase it.
    customerId: sql`coalesce(excluded.customer_id, ${table.customerId})`,
    lastEventCreated: sql`greatest(excluded.last_event_created, ${table.lastEventCreated})`,
    syncedAt: sql`excluded.synced_at`,
  };
}

export async function upsertStripeCustomer(db: Db, customer: Stripe.Customer | Stripe.DeletedCustomer, write: MirrorWrite, createdFallback?: number): Promise<void> {
  const deleted = "deleted" in customer && customer.deleted === true;
  const live = deleted ? null : (customer as Stripe.Customer);
  await db
    .insert(stripeCustomers)
    .values({
      stripeId: customer.id,
      customerId: write.customerId,
      livemode: live?.livemode ?? false,
      stripeCreated: fromUnix(live?.created ?? createdFallback ?? 0) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      email: live?.email ?? null,
      name: live?.name ?? null,
      defaultPaymentMethodId: idOf(live?.invoice_settings?.default_payment_method),
      deleted,
    })
    .onConflictDoUpdate({
      target: stripeCustomers.stripeId,
      set: deleted
        ? { ...common(write, stripeCustomers), deleted: true }
        : {
            ...common(write, stripeCustomers),
            email: sql`excluded.email`,
            name: sql`excluded.name`,
            defaultPaymentMethodId: sql`excluded.default_payment_method_id`,
            deleted: false,
          },
      setWhere: notStale(stripeCustomers),
    });
}

export async function upsertStripeSubscription(db: Db, subscription: Stripe.Subscription, write: MirrorWrite): Promise<void> {
  const item = subscription.items.data[0];
  const tallySubscriptionId = subscription.metadata?.tally_subscription_id;
  await db
    .insert(stripeSubscriptions)
    .values({
      stripeId: subscription.id,
      customerId: write.customerId,
      livemode: subscription.livemode,
      stripeCreated: fromUnix(subscription.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeCustomerId: idOf(subscription.customer) ?? "",
      subscriptionId: tallySubscriptionId && isUuid(tallySubscriptionId) ? tallySubscriptionId : null,
      status: subscription.status,
      priceId: item ? idOf(item.price) : null,
      quantity: item?.quantity ?? null,
      cancelAtPeriodEnd: subscription.cancel_at_period_end,
      currentPeriodStart: fromUnix(item?.current_period_start),
      currentPeriodEnd: fromUnix(item?.current_period_end),
      trialEnd: fromUnix(subscription.trial_end),
      canceledAt: fromUnix(subscription.canceled_at),
      endedAt: fromUnix(subscription.ended_at),
    })
    .onConflictDoUpdate({
      target: stripeSubscriptions.stripeId,
      set: {
        ...common(write, stripeSubscriptions),
        subscriptionId: sql`coalesce(excluded.subscription_id, ${stripeSubscriptions.subscriptionId})`,
        status: sql`excluded.status`,
        priceId: sql`excluded.price_id`,
        quantity: sql`excluded.quantity`,
        cancelAtPeriodEnd: sql`excluded.cancel_at_period_end`,
        currentPeriodStart: sql`excluded.current_period_start`,
        currentPeriodEnd: sql`excluded.current_period_end`,
        trialEnd: sql`excluded.trial_end`,
        canceledAt: sql`excluded.canceled_at`,
        endedAt: sql`excluded.ended_at`,
      },
      setWhere: notStale(stripeSubscriptions),
    });
}

/** The subscription an invoice belongs to (API 2025+: under `parent.subscription_details`). */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription ?? null);
}

export async function upsertStripeInvoice(db: Db, invoice: Stripe.Invoice, write: MirrorWrite): Promise<void> {
  await db
    .insert(stripeInvoices)
    .values({
      stripeId: invoice.id,
      customerId: write.customerId,
      livemode: invoice.livemode,
      stripeCreated: fromUnix(invoice.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeCustomerId: idOf(invoice.customer) ?? "",
      stripeSubscriptionId: invoiceSubscriptionId(invoice),
      number: invoice.number ?? null,
      status: invoice.status ?? "draft",
      billingReason: invoice.billing_reason ?? null,
      currency: invoice.currency,
      total: BigInt(invoice.total),
      amountDue: BigInt(invoice.amount_due),
      amountPaid: BigInt(invoice.amount_paid),
      amountRemaining: BigInt(invoice.amount_remaining),
      periodStart: fromUnix(invoice.period_start),
      periodEnd: fromUnix(invoice.period_end),
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
      paidAt: fromUnix(invoice.status_transitions?.paid_at),
    })
    .onConflictDoUpdate({
      target: stripeInvoices.stripeId,
      set: {
        ...common(write, stripeInvoices),
        number: sql`excluded.number`,
        status: sql`excluded.status`,
        total: sql`excluded.total`,
        amountDue: sql`excluded.amount_due`,
        amountPaid: sql`excluded.amount_paid`,
        amountRemaining: sql`excluded.amount_remaining`,
        periodStart: sql`excluded.period_start`,
        periodEnd: sql`excluded.period_end`,
        hostedInvoiceUrl: sql`excluded.hosted_invoice_url`,
        paidAt: sql`excluded.paid_at`,
      },
      setWhere: notStale(stripeInvoices),
    });
}

export async function upsertStripePaymentMethod(db: Db, paymentMethod: Stripe.PaymentMethod, write: MirrorWrite): Promise<void> {
  const card = paymentMethod.card;
  const stripeCustomerId = idOf(paymentMethod.customer);
  await db
    .insert(stripePaymentMethods)
    .values({
      stripeId: paymentMethod.id,
      customerId: write.customerId,
      livemode: paymentMethod.livemode,
      stripeCreated: fromUnix(paymentMethod.created) ?? write.now,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      stripeCustomerId,
      type: paymentMethod.type,
      brand: card?.brand ?? null,
      last4: card?.last4 ?? null,
      expMonth: card?.exp_month ?? null,
      expYear: card?.exp_year ?? null,
      detached: stripeCustomerId === null,
    })
    .onConflictDoUpdate({
      target: stripePaymentMethods.stripeId,
      set: {
        ...common(write, stripePaymentMethods),
        stripeCustomerId: sql`excluded.stripe_customer_id`,
        brand: sql`excluded.brand`,
        last4: sql`excluded.last4`,
        expMonth: sql`excluded.exp_month`,
        expYear: sql`excluded.exp_year`,
        detached: sql`excluded.detached`,
      },
      setWhere: notStale(stripePaymentMethods),
    });
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export { fromUnix, idOf };
