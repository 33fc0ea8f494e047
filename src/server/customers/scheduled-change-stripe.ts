import { and, eq, isNotNull } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { subscriptionScheduledChanges, subscriptions, type SubscriptionScheduledChange } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { stripeWrite } from "@/server/stripe/stripe-write";
import { syncPlanVersion } from "@/server/stripe/sync-plan-version";

/** Idempotency keys of the schedule writes, from Tally's change id (a retry replays; a newer change is a new write). */
export const scheduleKeys = {
  create: (changeId: string) => `tally:subscription-change:${changeId}:schedule:create`,
  phases: (changeId: string) => `tally:subscription-change:${changeId}:schedule:phases`,
  release: (scheduleId: string) => `tally:subscription-schedule:${scheduleId}:release`,
} as const;

const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === "string" ? value : value.id);

/**
 * Puts a period-end change on Stripe as a subscription schedule: the subscription's schedule (made
 * `from_subscription` when it has none) gets two phases — the current items until the change's
 * effective time (the period end), then the new price × seats for one interval, after which the
 * schedule releases the subscription. Stripe switches the items at the renewal without
 * prorations, so the renewal bills the new price, as Tally's period close does. The schedule id
 * is recorded on the change row.
 */
export async function pushScheduledChange(db: Db, stripe: Stripe, change: SubscriptionScheduledChange, stripeSubscriptionId: string): Promise<string> {
  const current = await stripe.subscriptions.retrieve(stripeSubscriptionId);
  const item = current.items.data[0];
  if (!item) throw new DomainError("precondition", "stripe_subscription_empty", "The Stripe subscription has no item to change; sync it first.");
  const target = { operation: "subscription_schedule.write", objectType: "subscription" as const, objectId: change.subscriptionId };
  const existingId = idOf(current.schedule);
  const schedule =
    existingId !== null
      ? await stripe.subscriptionSchedules.retrieve(existingId)
      : await stripeWrite(db, { ...target, idempotencyKey: scheduleKeys.create(change.id) }, (options) => stripe.subscriptionSchedules.create({ from_subscription: current.id }, options));
  const phaseStart = schedule.current_phase?.start_date ?? schedule.phases[0]?.start_date ?? item.current_period_start;
  const { stripePriceId } = await syncPlanVersion(db, stripe, { planVersionId: change.toPlanVersionId });
  const currentPrice = typeof item.price === "string" ? item.price : item.price.id;
  const interval = item.price.recurring?.interval ?? "month";
  const intervalCount = item.price.recurring?.interval_count ?? 1;
  await stripeWrite(db, { ...target, idempotencyKey: scheduleKeys.phases(change.id) }, (options) =>
    stripe.subscriptionSchedules.update(
      schedule.id,
      {
        end_behavior: "release",
        metadata: { tally_change_id: change.id, tally_subscription_id: change.subscriptionId },
        phases: [
          { items: [{ price: currentPrice, quantity: item.quantity ?? 1 }], start_date: phaseStart, end_date: Math.floor(change.effectiveAt.getTime() / 1000), proration_behavior: "none" },
          { items: [{ price: stripePriceId, quantity: change.toSeats }], duration: { interval, interval_count: intervalCount }, proration_behavior: "none" },
        ],
      },
      options,
    ),
  );
  await db.update(subscriptionScheduledChanges).set({ stripeScheduleId: schedule.id }).where(eq(subscriptionScheduledChanges.id, change.id));
  return schedule.id;
}

/**
 * Releases the Stripe schedule of the subscription when no pending (scheduled) change needs it any
 * more (the change was replaced or canceled, the subscription cancels at period end or resumes):
 * the subscription goes on with its current items. Returns the released schedule id, if any.
 */
export async function releaseStaleSchedule(db: Db, stripe: Stripe, subscriptionId: string): Promise<string | null> {
  const [subscription] = await db.select({ stripeSubscriptionId: subscriptions.stripeSubscriptionId }).from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  if (!subscription?.stripeSubscriptionId) return null;
  const current = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  const scheduleId = idOf(current.schedule);
  if (scheduleId === null) return null;
  const [pending] = await db
    .select({ id: subscriptionScheduledChanges.id })
    .from(subscriptionScheduledChanges)
    .where(and(eq(subscriptionScheduledChanges.subscriptionId, subscriptionId), eq(subscriptionScheduledChanges.status, "scheduled"), isNotNull(subscriptionScheduledChanges.stripeScheduleId), eq(subscriptionScheduledChanges.stripeScheduleId, scheduleId)));
  if (pending) return null;
  const schedule = await stripe.subscriptionSchedules.retrieve(scheduleId);
  if (schedule.status !== "active" && schedule.status !== "not_started") return null;
  await stripeWrite(db, { operation: "subscription_schedule.release", objectType: "subscription", objectId: subscriptionId, idempotencyKey: scheduleKeys.release(scheduleId) }, (options) =>
    stripe.subscriptionSchedules.release(scheduleId, {}, options),
  );
  return scheduleId;
}
