import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planVersions, plans, subscriptionScheduledChanges, subscriptions, type Plan, type PlanVersion, type Subscription } from "@/db/schema";
import { centsOf } from "@/lib/money-units";
import { periodContaining } from "./billing-period";

/** A subscription as the public API and webhooks show it. Money: micro-units as strings plus the minor unit (cents). */
export type SubscriptionJson = {
  object: "subscription";
  id: string;
  customer: string;
  status: Subscription["status"];
  plan: { key: string; name: string; version: number; plan_version_id: string };
  seats: number;
  currency: string;
  interval: PlanVersion["billingInterval"];
  base_fee_per_seat_micros: string;
  base_fee_per_seat_cents: number;
  billing_anchor: string;
  trial_end: string | null;
  current_period: { start: string; end: string };
  cancel_at_period_end: boolean;
  canceled_at: string | null;
  ended_at: string | null;
  spend_limit_micros: string | null;
  spend_warning_thresholds_percent: number[];
  pending_change: { plan_version_id: string; plan_key: string; seats: number; effective_at: string } | null;
  stripe_subscription_id: string | null;
  created_at: string;
  updated_at: string;
};

export type PendingChangeView = { planVersionId: string; planKey: string; seats: number; effectiveAt: Date };

export function subscriptionJson(subscription: Subscription, version: PlanVersion, plan: Plan, pending: PendingChangeView | null, at: Date): SubscriptionJson {
  const period = periodContaining(subscription.billingAnchor, version.billingInterval, at);
  return {
    object: "subscription",
    id: subscription.id,
    customer: subscription.customerId,
    status: subscription.status,
    plan: { key: plan.key, name: plan.name, version: version.version, plan_version_id: version.id },
    seats: subscription.seats,
    currency: version.currency,
    interval: version.billingInterval,
    base_fee_per_seat_micros: version.baseFeePerSeatMicros.toString(),
    base_fee_per_seat_cents: centsOf(version.baseFeePerSeatMicros),
    billing_anchor: subscription.billingAnchor.toISOString(),
    trial_end: subscription.trialEnd?.toISOString() ?? null,
    current_period: { start: period.start.toISOString(), end: period.end.toISOString() },
    cancel_at_period_end: subscription.cancelAtPeriodEnd,
    canceled_at: subscription.canceledAt?.toISOString() ?? null,
    ended_at: subscription.endedAt?.toISOString() ?? null,
    spend_limit_micros: subscription.spendLimitMicros?.toString() ?? null,
    spend_warning_thresholds_percent: subscription.spendWarningThresholdsPercent,
    pending_change: pending && { plan_version_id: pending.planVersionId, plan_key: pending.planKey, seats: pending.seats, effective_at: pending.effectiveAt.toISOString() },
    stripe_subscription_id: subscription.stripeSubscriptionId,
    created_at: subscription.createdAt.toISOString(),
    updated_at: subscription.updatedAt.toISOString(),
  };
}

/** Loads a subscription with its plan and pending change and renders it; undefined when there is no such subscription. */
export async function loadSubscriptionJson(db: Db, subscriptionId: string, at: Date): Promise<SubscriptionJson | undefined> {
  const [row] = await db
    .select({ subscription: subscriptions, version: planVersions, plan: plans })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(subscriptions.id, subscriptionId));
  if (!row) return undefined;
  const [pending] = await db
    .select({ planVersionId: subscriptionScheduledChanges.toPlanVersionId, seats: subscriptionScheduledChanges.toSeats, effectiveAt: subscriptionScheduledChanges.effectiveAt, planKey: plans.key })
    .from(subscriptionScheduledChanges)
    .innerJoin(planVersions, eq(planVersions.id, subscriptionScheduledChanges.toPlanVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(subscriptionScheduledChanges.subscriptionId, subscriptionId), eq(subscriptionScheduledChanges.status, "scheduled")))
    .limit(1);
  return subscriptionJson(row.subscription, row.version, row.plan, pending ?? null, at);
}
