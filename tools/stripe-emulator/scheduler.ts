import type Stripe from "stripe";
import { finalizeInvoice, voidInvoice } from "./billing/invoicing";
import { collectInvoice } from "./billing/payments";
import { renewSubscription } from "./billing/renewals";
import { nextPayoutTask } from "./billing/payouts";
import { applyMidPeriodPhase, midPeriodPhaseEnd, startSchedule } from "./billing/schedules";
import { cancelSubscriptionNow, currentPeriod } from "./billing/subscription-status";
import type { Engine } from "./engine";
import { idOf } from "./objects/invoices";

interface Task {
  at: number;
  /** Lower runs first among tasks due at the same second. */
  rank: number;
  run: () => void;
}

const tasksPerRunMax = 10_000;

/**
 * Runs the work due on one clock up to `until`, earliest first, moving the clock to each task's time
 * so what it creates carries that time: invoice finalization and payment after the draft window,
 * payment retries, renewals, trial ends, cancellations and expiries.
 */
export function runDue(engine: Engine, clockId: string | null, until: number): void {
  try {
    for (let count = 0; count < tasksPerRunMax; count += 1) {
      const task = nextTask(engine, clockId, until);
      if (task === undefined) break;
      engine.setClockTime(clockId, Math.max(task.at, clockId === null ? task.at : engine.clockNow(clockId)));
      task.run();
    }
    if (clockId !== null) engine.setClockTime(clockId, Math.max(until, engine.clockNow(clockId)));
  } finally {
    if (clockId === null) engine.releaseGlobalClock();
  }
}

function nextTask(engine: Engine, clockId: string | null, until: number): Task | undefined {
  let best: Task | undefined;
  const consider = (task: Task | undefined): void => {
    if (task === undefined || task.at > until) return;
    if (best === undefined || task.at < best.at || (task.at === best.at && task.rank < best.rank)) best = task;
  };
  for (const invoice of engine.store.all("invoice")) {
    if (engine.clockOfCustomer(idOf(invoice.customer)) !== clockId) continue;
    consider(invoiceTask(engine, invoice));
  }
  for (const subscription of engine.store.all("subscription")) {
    if (engine.clockOfCustomer(idOf(subscription.customer)) !== clockId) continue;
    consider(subscriptionTask(engine, subscription));
  }
  for (const schedule of engine.store.all("subscription_schedule")) {
    if (schedule.status !== "not_started" || engine.clockOfCustomer(idOf(schedule.customer)) !== clockId) continue;
    const start = schedule.phases[0]?.start_date;
    if (start !== undefined) consider({ at: start, rank: 2, run: () => void startSchedule(engine, schedule) });
  }
  consider(nextPayoutTask(engine, clockId));
  return best;
}

function invoiceTask(engine: Engine, invoice: Stripe.Invoice): Task | undefined {
  if (invoice.auto_advance !== true) return undefined;
  if (invoice.status === "draft" && invoice.automatically_finalizes_at !== null) {
    return {
      at: invoice.automatically_finalizes_at,
      rank: 0,
      run: () => {
        finalizeInvoice(engine, invoice);
        if (invoice.status === "open" && invoice.collection_method === "charge_automatically") collectInvoice(engine, invoice, { automatic: true });
      },
    };
  }
  if (invoice.status === "open" && invoice.next_payment_attempt !== null && invoice.collection_method === "charge_automatically") {
    return { at: invoice.next_payment_attempt, rank: 1, run: () => void collectInvoice(engine, invoice, { automatic: true }) };
  }
  return undefined;
}

function subscriptionTask(engine: Engine, subscription: Stripe.Subscription): Task | undefined {
  if (subscription.status === "incomplete") {
    return { at: subscription.created + engine.config.incompleteExpirySeconds, rank: 2, run: () => expireIncomplete(engine, subscription) };
  }
  if (!["trialing", "active", "past_due", "unpaid"].includes(subscription.status)) return undefined;
  const period = currentPeriod(subscription);
  const phaseEnd = midPeriodPhaseEnd(engine, subscription, period.end);
  if (phaseEnd !== null && (subscription.cancel_at === null || phaseEnd < subscription.cancel_at)) {
    return { at: phaseEnd, rank: 3, run: () => applyMidPeriodPhase(engine, subscription, phaseEnd) };
  }
  if (subscription.cancel_at !== null && subscription.cancel_at < period.end) {
    return {
      at: subscription.cancel_at,
      rank: 3,
      run: () => cancelSubscriptionNow(engine, subscription, { reason: "cancellation_requested", prorate: false, invoiceNow: false }),
    };
  }
  return { at: period.end, rank: 3, run: () => renewSubscription(engine, subscription) };
}

function expireIncomplete(engine: Engine, subscription: Stripe.Subscription): void {
  const latest = idOf(subscription.latest_invoice);
  const invoice = latest === null ? undefined : engine.store.get("invoice", latest);
  if (invoice?.status === "open") voidInvoice(engine, invoice);
  engine.track(subscription, "customer.subscription.deleted", () => {
    subscription.status = "incomplete_expired";
    subscription.ended_at = engine.nowForCustomer(idOf(subscription.customer));
  });
}
