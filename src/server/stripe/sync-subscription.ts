import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { subscriptions, type Subscription } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { stripeIdempotencyKeys } from "./idempotency-keys";
import { stripeWrite } from "./stripe-write";
import { syncCustomer } from "./sync-customer";
import { syncPlanVersion } from "./sync-plan-version";
import { upsertStripeSubscription } from "./upsert-mirror";

export const syncSubscriptionInput = z.object({
  subscriptionId: z.uuid(),
  /** Only for a first sync: put the new Stripe customer on this test clock. */
  testClockId: z.string().startsWith("clock_").max(100).optional(),
});
export type SyncSubscriptionInput = z.infer<typeof syncSubscriptionInput>;
export type SyncSubscriptionResult = {
  stripeSubscriptionId: string | null;
  action: "created" | "updated" | "canceled" | "unchanged" | "skipped";
};

/**
 * Makes Stripe's subscription match Tally's row (Tally decides, Stripe collects):
 * - no Stripe subscription yet → create it (per-seat price, quantity = seats, Tally's trial end);
 * - seats, price or cancel-at-period-end differ → one update carrying the whole desired state,
 *   keyed by a hash of it (so a retry replays and a resume after a cancel is a new write);
 * - canceled in Tally → cancel now in Stripe.
 * A canceled Tally subscription that never reached Stripe is skipped.
 */
export async function syncSubscription(db: Db, stripe: Stripe, clock: Clock, rawInput: SyncSubscriptionInput): Promise<SyncSubscriptionResult> {
  const input = syncSubscriptionInput.parse(rawInput);
  const [subscription] = await db.select().from(subscriptions).where(eq(subscriptions.id, input.subscriptionId));
  if (!subscription) throw new DomainError("not_found", "subscription_not_found", `Subscription ${input.subscriptionId} does not exist.`);
  if (subscription.stripeSubscriptionId === null) {
    if (subscription.status === "canceled") return { stripeSubscriptionId: null, action: "skipped" };
    return createInStripe(db, stripe, clock, subscription, input.testClockId);
  }
  const current = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  const write = { customerId: subscription.customerId, eventCreated: null, now: clock.now() };
  if (current.status === "canceled" || current.status === "incomplete_expired") {
    await upsertStripeSubscription(db, current, write);
    return { stripeSubscriptionId: current.id, action: "unchanged" };
  }
  if (subscription.status === "canceled") {
    const canceled = await stripeWrite(
      db,
      { operation: "subscription.cancel", objectType: "subscription", objectId: subscription.id, idempotencyKey: stripeIdempotencyKeys.subscriptionCancel(subscription.id) },
      (options) => stripe.subscriptions.cancel(current.id, {}, options),
    );
    await upsertStripeSubscription(db, canceled, write);
    return { stripeSubscriptionId: current.id, action: "canceled" };
  }
  const { stripePriceId } = await syncPlanVersion(db, stripe, { planVersionId: subscription.planVersionId });
  const item = current.items.data[0];
  const itemPrice = typeof item?.price === "string" ? item.price : item?.price.id;
  const desired = { price: stripePriceId, quantity: subscription.seats, cancel_at_period_end: subscription.cancelAtPeriodEnd };
  if (item && itemPrice === desired.price && item.quantity === desired.quantity && current.cancel_at_period_end === desired.cancel_at_period_end) {
    await upsertStripeSubscription(db, current, write);
    return { stripeSubscriptionId: current.id, action: "unchanged" };
  }
  const updated = await stripeWrite(
    db,
    {
      operation: "subscription.update",
      objectType: "subscription",
      objectId: subscription.id,
      idempotencyKey: stripeIdempotencyKeys.subscriptionUpdate(subscription.id, { from: current.id, ...desired }),
    },
    (options) =>
      stripe.subscriptions.update(
        current.id,
        {
          items: [item ? { id: item.id, price: desired.price, quantity: desired.quantity } : { price: desired.price, quantity: desired.quantity }],
          cancel_at_period_end: desired.cancel_at_period_end,
          // Seat changes take effect now with prorations (ARCHITECTURE.md: upgrades now, prorated).
          proration_behavior: "create_prorations",
        },
        options,
      ),
  );
  await upsertStripeSubscription(db, updated, write);
  return { stripeSubscriptionId: current.id, action: "updated" };
}

async function createInStripe(db: Db, stripe: Stripe, clock: Clock, subscription: Subscription, testClockId: string | undefined): Promise<SyncSubscriptionResult> {
  const { stripeCustomerId } = await syncCustomer(db, stripe, clock, { customerId: subscription.customerId, testClockId });
  const { stripePriceId } = await syncPlanVersion(db, stripe, { planVersionId: subscription.planVersionId });
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const trialEndSeconds = subscription.trialEnd ? Math.floor(subscription.trialEnd.getTime() / 1000) : null;
  const created = await stripeWrite(
    db,
    { operation: "subscription.create", objectType: "subscription", objectId: subscription.id, idempotencyKey: stripeIdempotencyKeys.subscriptionCreate(subscription.id) },
    (options) =>
      stripe.subscriptions.create(
        {
          customer: stripeCustomerId,
          items: [{ price: stripePriceId, quantity: subscription.seats }],
          ...(trialEndSeconds !== null && trialEndSeconds > nowSeconds ? { trial_end: trialEndSeconds } : {}),
          cancel_at_period_end: subscription.cancelAtPeriodEnd,
          metadata: { tally_subscription_id: subscription.id, tally_customer_id: subscription.customerId },
        },
        options,
      ),
  );
  // The customers domain owns the row; this column is the stripe domain's link and is written once.
  await db
    .update(subscriptions)
    .set({ stripeSubscriptionId: created.id })
    .where(and(eq(subscriptions.id, subscription.id), isNull(subscriptions.stripeSubscriptionId)));
  await upsertStripeSubscription(db, created, { customerId: subscription.customerId, eventCreated: null, now: clock.now() });
  return { stripeSubscriptionId: created.id, action: "created" };
}
