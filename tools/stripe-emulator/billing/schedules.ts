import type Stripe from "stripe";
import type { Engine } from "../engine";
import { planFromPrice } from "../objects/catalog";
import { idOf } from "../objects/invoices";
import { buildSubscriptionItem } from "../objects/subscriptions";
import { createSubscription } from "./subscription-create";

/**
 * Minimal subscription schedules: when the current phase ends (at a period boundary, or inside a
 * period), the next phase's items replace the subscription's without prorations, and the schedule
 * releases the subscription after its last phase (or cancels it, with `end_behavior=cancel`).
 */
export function scheduleOf(engine: Engine, subscription: Stripe.Subscription): Stripe.SubscriptionSchedule | undefined {
  const scheduleId = idOf(subscription.schedule);
  return scheduleId === null ? undefined : engine.store.get("subscription_schedule", scheduleId);
}

export function applyDueSchedulePhase(engine: Engine, subscription: Stripe.Subscription, at: number): void {
  const schedule = scheduleOf(engine, subscription);
  if (schedule === undefined || schedule.status !== "active") return;
  const next = schedule.phases.find((phase) => phase.start_date === at);
  if (next !== undefined) {
    const previous = subscription.items.data;
    subscription.items.data = next.items.map((phaseItem, index) => {
      const priceId = typeof phaseItem.price === "string" ? phaseItem.price : phaseItem.price.id;
      const price = engine.store.require("price", priceId);
      const reused = previous[index];
      const item = buildSubscriptionItem({
        id: reused?.id ?? engine.id("si", 14),
        created: reused?.created ?? at,
        subscription: subscription.id,
        price,
        quantity: phaseItem.quantity ?? 1,
        metadata: phaseItem.metadata ?? {},
        periodStart: reused?.current_period_start ?? at,
        periodEnd: reused?.current_period_end ?? at,
      });
      item.plan = planFromPrice(price);
      engine.store.subscriptionOfItem.set(item.id, subscription.id);
      return item;
    });
    for (const old of previous.slice(next.items.length)) engine.store.subscriptionOfItem.delete(old.id);
    const previousPhase = schedule.current_phase;
    schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
    engine.emit("subscription_schedule.updated", schedule, { current_phase: previousPhase });
  }
  const last = schedule.phases[schedule.phases.length - 1];
  if (last === undefined) return;
  if (last.start_date === at && schedule.end_behavior === "cancel") subscription.cancel_at = last.end_date;
  if (at >= last.end_date && schedule.end_behavior !== "cancel") releaseSchedule(engine, schedule, subscription, at);
}

/** A current phase ending inside the subscription's period: the time it ends, else null (renewal handles period ends). */
export function midPeriodPhaseEnd(engine: Engine, subscription: Stripe.Subscription, periodEnd: number): number | null {
  const schedule = scheduleOf(engine, subscription);
  if (schedule === undefined || schedule.status !== "active" || schedule.current_phase === null) return null;
  return schedule.current_phase.end_date < periodEnd ? schedule.current_phase.end_date : null;
}

/** The current phase ended inside a period: switch items now (no prorations; the next renewal bills them). */
export function applyMidPeriodPhase(engine: Engine, subscription: Stripe.Subscription, at: number): void {
  engine.track(subscription, "customer.subscription.updated", () => applyDueSchedulePhase(engine, subscription, at));
}

/** Detaches the subscription from its schedule, which ends as `released`. */
export function releaseSchedule(engine: Engine, schedule: Stripe.SubscriptionSchedule, subscription: Stripe.Subscription | undefined, at: number): void {
  engine.track(schedule, "subscription_schedule.released", () => {
    schedule.status = "released";
    schedule.released_at = at;
    schedule.released_subscription = subscription?.id ?? null;
    schedule.subscription = null;
    schedule.current_phase = null;
  });
  if (subscription !== undefined) subscription.schedule = null;
}

/** The subscription ended: its schedule completes (at the end of its last phase) or is canceled. */
export function onScheduledSubscriptionCanceled(engine: Engine, subscription: Stripe.Subscription, at: number): void {
  const schedule = scheduleOf(engine, subscription);
  if (schedule === undefined || schedule.status !== "active") return;
  const last = schedule.phases[schedule.phases.length - 1];
  const completed = last !== undefined && at >= last.end_date;
  engine.track(schedule, completed ? "subscription_schedule.completed" : "subscription_schedule.canceled", () => {
    schedule.status = completed ? "completed" : "canceled";
    if (completed) schedule.completed_at = at;
    else schedule.canceled_at = at;
    schedule.current_phase = null;
  });
}

/** Starts a schedule whose first phase has begun: creates its subscription from that phase's items. */
export function startSchedule(engine: Engine, schedule: Stripe.SubscriptionSchedule): Stripe.Subscription {
  const phase = schedule.phases[0];
  if (phase === undefined) throw new Error(`schedule ${schedule.id} has no phases`);
  const customer = engine.store.require("customer", idOf(schedule.customer) ?? "");
  const subscription = createSubscription(engine, {
    customer,
    items: phase.items.map((item) => ({
      price: engine.store.require("price", typeof item.price === "string" ? item.price : item.price.id),
      quantity: item.quantity ?? 1,
      metadata: item.metadata ?? {},
    })),
    trialEnd: null,
    billingCycleAnchor: null,
    cancelAtPeriodEnd: false,
    cancelAt: null,
    defaultPaymentMethod: null,
    collectionMethod: "charge_automatically",
    daysUntilDue: null,
    description: null,
    metadata: {},
    paymentBehavior: "allow_incomplete",
    prorationBehavior: "create_prorations",
    missingPaymentMethod: "create_invoice",
  });
  engine.track(subscription, "customer.subscription.updated", () => {
    subscription.schedule = schedule.id;
    const last = schedule.phases[schedule.phases.length - 1];
    if (schedule.end_behavior === "cancel" && last !== undefined) subscription.cancel_at = last.end_date;
  });
  engine.track(schedule, "subscription_schedule.updated", () => {
    schedule.status = "active";
    schedule.subscription = subscription.id;
    schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
  });
  return subscription;
}
