import type Stripe from "stripe";
import type { Engine } from "../engine";
import { planFromPrice } from "../objects/catalog";
import { buildSubscriptionItem } from "../objects/subscriptions";

/**
 * Minimal subscription schedules: when the current phase ends at a period boundary, the next
 * phase's items replace the subscription's (no prorations), and the schedule completes or releases
 * after its last phase.
 */
export function applyDueSchedulePhase(engine: Engine, subscription: Stripe.Subscription, at: number): void {
  const scheduleId = typeof subscription.schedule === "string" ? subscription.schedule : subscription.schedule?.id;
  if (scheduleId === undefined) return;
  const schedule = engine.store.get("subscription_schedule", scheduleId);
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
    schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
    engine.emit("subscription_schedule.updated", schedule);
  }
  const last = schedule.phases[schedule.phases.length - 1];
  if (last === undefined) return;
  if (last.start_date === at && schedule.end_behavior === "cancel") subscription.cancel_at = last.end_date;
  if (at >= last.end_date) {
    schedule.status = "released";
    schedule.released_at = at;
    schedule.released_subscription = subscription.id;
    schedule.subscription = null;
    schedule.current_phase = null;
    subscription.schedule = null;
    engine.emit("subscription_schedule.released", schedule);
  }
}
