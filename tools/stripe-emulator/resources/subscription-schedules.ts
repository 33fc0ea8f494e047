import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import { buildPhase, buildSubscriptionSchedule, type PhaseItemInput } from "../objects/subscription-schedules";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { addIntervals } from "../billing/periods";
import { releaseSchedule, scheduleOf, startSchedule } from "../billing/schedules";
import { applyItemChange } from "../billing/subscription-update";
import { cancelSubscriptionNow, currentPeriod } from "../billing/subscription-status";

const prorationBehaviors = ["create_prorations", "none", "always_invoice"] as const;
const endBehaviors = ["release", "cancel"] as const;

/**
 * Reads `phases[]`: the first starts at `firstStart` (or its own `start_date`), each next one where
 * the previous ends; a phase ends at `end_date`, after `duration` (`interval` × `interval_count`),
 * or after the legacy `iterations` billing intervals of its first price (the last phase defaults to one interval).
 */
function readPhases(engine: Engine, params: Params, firstStart: number, now: number): Stripe.SubscriptionSchedule.Phase[] {
  const phaseParams = params.objectArray("phases", 10);
  if (phaseParams.length === 0) throw invalidRequest("Missing required param: phases.", "phases", "parameter_missing");
  const phases: Stripe.SubscriptionSchedule.Phase[] = [];
  phaseParams.forEach((phase, index) => {
    const items: PhaseItemInput[] = phase.objectArray("items", 20).map((item) => ({
      price: engine.store.require("price", item.requiredString("price"), item.name("price")),
      quantity: item.integer("quantity", { min: 0 }) ?? 1,
      metadata: item.applyMetadata({}),
    }));
    const first = items[0];
    const recurring = first?.price.recurring;
    if (first === undefined || recurring === null || recurring === undefined)
      throw invalidRequest("Each phase needs at least one recurring price.", phase.name("items"), "parameter_missing");
    for (const item of items) {
      if (item.price.recurring?.interval !== recurring.interval || item.price.recurring.interval_count !== recurring.interval_count)
        throw invalidRequest("Prices in a phase must all have the same billing interval.", phase.name("items"));
    }
    const previous = phases[index - 1];
    const ownStart = phase.timestamp("start_date", { allowNow: true });
    let start: number;
    if (previous === undefined) start = ownStart === undefined ? firstStart : ownStart === "now" ? now : ownStart;
    else {
      if (ownStart !== undefined && ownStart !== previous.end_date)
        throw invalidRequest("A phase must start where the previous phase ends.", phase.name("start_date"));
      start = previous.end_date;
    }
    const endDate = phase.integer("end_date", { min: 0 });
    const duration = phase.object("duration");
    // `duration` is the current API's form; `iterations` (counted in the first price's intervals) the older one.
    const iterations = phase.integer("iterations", { min: 1, max: 1000 });
    const given = [endDate, duration, iterations].filter((value) => value !== undefined).length;
    if (given > 1) throw invalidRequest("You may only specify one of these parameters: duration, end_date, iterations.", phase.name("end_date"));
    if (given === 0 && index < phaseParams.length - 1)
      throw invalidRequest("Every phase but the last needs an end_date or a duration.", phase.name("end_date"), "parameter_missing");
    let end: number;
    if (endDate !== undefined) end = endDate;
    else if (duration !== undefined)
      end = addIntervals(
        start,
        duration.oneOf("interval", ["day", "week", "month", "year"] as const) ?? recurring.interval,
        duration.integer("interval_count", { min: 1, max: 1000 }) ?? 1,
      );
    else end = addIntervals(start, recurring.interval, recurring.interval_count * (iterations ?? 1));
    if (end <= start) throw invalidRequest("A phase's end_date must be after its start_date.", phase.name("end_date"));
    phases.push(
      buildPhase({
        start,
        end,
        items,
        currency: first.price.currency,
        prorationBehavior: phase.oneOf("proration_behavior", prorationBehaviors) ?? "create_prorations",
        metadata: phase.applyMetadata({}),
      }),
    );
  });
  const last = phases[phases.length - 1];
  if (last !== undefined && last.end_date <= now) throw invalidRequest("The schedule's last phase must end in the future.", "phases");
  return phases;
}

function phaseItemsOf(subscription: Stripe.Subscription): PhaseItemInput[] {
  return subscription.items.data.map((item) => ({ price: item.price, quantity: item.quantity ?? 1, metadata: item.metadata }));
}

function create(engine: Engine, params: Params): Stripe.SubscriptionSchedule {
  const fromSubscription = params.string("from_subscription");
  if (fromSubscription !== undefined) {
    if (params.has("phases") || params.has("customer"))
      throw invalidRequest("You cannot set `phases` or `customer` together with `from_subscription`.", "from_subscription");
    const subscription = engine.store.require("subscription", fromSubscription, "from_subscription");
    if (subscription.schedule !== null) throw invalidRequest(`Subscription ${subscription.id} is already managed by a schedule.`, "from_subscription");
    if (!["active", "trialing", "past_due", "unpaid"].includes(subscription.status))
      throw invalidRequest(`A schedule cannot be created from a ${subscription.status} subscription.`, "from_subscription");
    const customerId = idOf(subscription.customer) ?? "";
    const period = currentPeriod(subscription);
    const phase = buildPhase({
      start: period.start,
      end: period.end,
      items: phaseItemsOf(subscription),
      currency: subscription.currency,
      prorationBehavior: "create_prorations",
      metadata: {},
    });
    const schedule = buildSubscriptionSchedule({
      id: engine.id("sub_sched"),
      created: engine.nowForCustomer(customerId),
      customer: customerId,
      testClock: engine.clockOfCustomer(customerId),
      endBehavior: "release",
      phases: [phase],
      metadata: params.applyMetadata({}),
    });
    schedule.status = "active";
    schedule.subscription = subscription.id;
    schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date };
    engine.store.insert("subscription_schedule", schedule);
    engine.emit("subscription_schedule.created", schedule);
    engine.track(subscription, "customer.subscription.updated", () => {
      subscription.schedule = schedule.id;
    });
    return schedule;
  }
  const customer = engine.store.require("customer", params.requiredString("customer"), "customer");
  const now = engine.nowForCustomer(customer.id);
  const startParam = params.timestamp("start_date", { allowNow: true });
  const start = startParam === undefined || startParam === "now" ? now : startParam;
  if (start < now) throw invalidRequest("start_date cannot be in the past.", "start_date");
  const schedule = buildSubscriptionSchedule({
    id: engine.id("sub_sched"),
    created: now,
    customer: customer.id,
    testClock: engine.clockOfCustomer(customer.id),
    endBehavior: params.oneOf("end_behavior", endBehaviors) ?? "release",
    phases: readPhases(engine, params, start, now),
    metadata: params.applyMetadata({}),
  });
  engine.store.insert("subscription_schedule", schedule);
  engine.emit("subscription_schedule.created", schedule);
  if ((schedule.phases[0]?.start_date ?? now) <= now) startSchedule(engine, schedule);
  return schedule;
}

function sameItems(phase: Stripe.SubscriptionSchedule.Phase, subscription: Stripe.Subscription): boolean {
  const key = (price: string, quantity: number): string => `${price}×${quantity}`;
  const wanted = phase.items.map((item) => key(idOf(item.price) ?? "", item.quantity ?? 1)).sort();
  const current = subscription.items.data.map((item) => key(item.price.id, item.quantity ?? 1)).sort();
  return JSON.stringify(wanted) === JSON.stringify(current);
}

function update(engine: Engine, schedule: Stripe.SubscriptionSchedule, params: Params): Stripe.SubscriptionSchedule {
  if (schedule.status !== "active" && schedule.status !== "not_started")
    throw invalidRequest(`You cannot update a subscription schedule that is ${schedule.status}.`, undefined);
  const customerId = idOf(schedule.customer) ?? "";
  const now = engine.nowForCustomer(customerId);
  const subscriptionId = idOf(schedule.subscription);
  const subscription = subscriptionId === null ? undefined : engine.store.require("subscription", subscriptionId);
  const phases = params.has("phases") ? readPhases(engine, params, schedule.current_phase?.start_date ?? schedule.phases[0]?.start_date ?? now, now) : schedule.phases;
  const current = phases[0];
  if (subscription !== undefined && current !== undefined) {
    if (current.start_date > now || current.end_date <= now)
      throw invalidRequest("The first phase of an active schedule must be the current one (it must contain the current time).", "phases[0][start_date]");
  }
  const endBehavior = params.oneOf("end_behavior", endBehaviors) ?? schedule.end_behavior;
  engine.track(schedule, "subscription_schedule.updated", () => {
    schedule.phases = phases;
    schedule.end_behavior = endBehavior;
    schedule.metadata = params.applyMetadata(schedule.metadata ?? {});
    if (subscription !== undefined && current !== undefined) schedule.current_phase = { start_date: current.start_date, end_date: current.end_date };
  });
  if (subscription !== undefined && current !== undefined) {
    const last = phases[phases.length - 1];
    engine.track(subscription, "customer.subscription.updated", () => {
      if (!sameItems(current, subscription)) {
        // The current phase's items apply at once, with its proration_behavior; items pair up by position.
        const updates = current.items.map((item, index) => ({
          id: subscription.items.data[index]?.id ?? null,
          price: engine.store.require("price", idOf(item.price) ?? ""),
          quantity: item.quantity ?? 1,
          deleted: false,
          metadata: null,
        }));
        for (const extra of subscription.items.data.slice(current.items.length))
          updates.push({ id: extra.id, price: extra.price, quantity: 0, deleted: true, metadata: null });
        applyItemChange(engine, subscription, updates, current.proration_behavior as "create_prorations" | "none" | "always_invoice", now);
      }
      if (endBehavior === "cancel" && last !== undefined) subscription.cancel_at = last.end_date;
      else if (endBehavior === "release" && subscription.cancel_at !== null && !subscription.cancel_at_period_end) subscription.cancel_at = null;
    });
  }
  return schedule;
}

function cancel(engine: Engine, schedule: Stripe.SubscriptionSchedule, params: Params): Stripe.SubscriptionSchedule {
  if (schedule.status !== "active" && schedule.status !== "not_started")
    throw invalidRequest(`You cannot cancel a subscription schedule that is ${schedule.status}.`, undefined);
  const now = engine.nowForCustomer(idOf(schedule.customer));
  const subscriptionId = idOf(schedule.subscription);
  const subscription = subscriptionId === null ? undefined : engine.store.get("subscription", subscriptionId);
  if (subscription !== undefined && subscription.status !== "canceled") {
    // Stripe's defaults for a schedule cancel: prorate and invoice now.
    cancelSubscriptionNow(engine, subscription, {
      reason: "cancellation_requested",
      prorate: params.boolean("prorate") ?? true,
      invoiceNow: params.boolean("invoice_now") ?? true,
    });
  }
  if (schedule.status !== "canceled") {
    engine.track(schedule, "subscription_schedule.canceled", () => {
      schedule.status = "canceled";
      schedule.canceled_at = now;
      schedule.current_phase = null;
    });
  }
  return schedule;
}

function release(engine: Engine, schedule: Stripe.SubscriptionSchedule, params: Params): Stripe.SubscriptionSchedule {
  if (schedule.status !== "active" && schedule.status !== "not_started")
    throw invalidRequest(`You cannot release a subscription schedule that is ${schedule.status}.`, undefined);
  const now = engine.nowForCustomer(idOf(schedule.customer));
  const subscriptionId = idOf(schedule.subscription);
  const subscription = subscriptionId === null ? undefined : engine.store.get("subscription", subscriptionId);
  if (subscription === undefined) {
    releaseSchedule(engine, schedule, undefined, now);
    return schedule;
  }
  const preserveCancelDate = params.boolean("preserve_cancel_date") ?? false;
  engine.track(subscription, "customer.subscription.updated", () => {
    if (scheduleOf(engine, subscription)?.end_behavior === "cancel" && !preserveCancelDate && !subscription.cancel_at_period_end) subscription.cancel_at = null;
    releaseSchedule(engine, schedule, subscription, now);
  });
  return schedule;
}

function requireSchedule(request: Parameters<Route["handle"]>[0]): Stripe.SubscriptionSchedule {
  return request.engine.store.require("subscription_schedule", pathParam(request, "id"));
}

export const subscriptionScheduleRoutes: Route[] = [
  route("POST", "/v1/subscription_schedules", ({ engine, params }) => create(engine, params)),
  route("GET", "/v1/subscription_schedules/:id", (request) => requireSchedule(request)),
  route("POST", "/v1/subscription_schedules/:id", (request) => update(request.engine, requireSchedule(request), request.params)),
  route("POST", "/v1/subscription_schedules/:id/cancel", (request) => cancel(request.engine, requireSchedule(request), request.params)),
  route("POST", "/v1/subscription_schedules/:id/release", (request) => release(request.engine, requireSchedule(request), request.params)),
  route("GET", "/v1/subscription_schedules", ({ engine, params }) => {
    const customer = params.string("customer");
    const scheduled = params.boolean("scheduled");
    const released = params.boolean("released");
    const created = createdFilter(params);
    const schedules = engine.store
      .all("subscription_schedule")
      .filter(
        (schedule) =>
          (customer === undefined || idOf(schedule.customer) === customer) &&
          (scheduled === undefined || (schedule.status === "not_started") === scheduled) &&
          (released === undefined || (schedule.status === "released") === released) &&
          created(schedule.created),
      );
    return paginate(schedules, params, "/v1/subscription_schedules");
  }),
];
