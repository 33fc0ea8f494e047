import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daySeconds, startWithClient, type EmulatorFixture } from "./test-support";

let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient();
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

const start = Date.UTC(2026, 0, 15) / 1000;
const feb15 = Date.UTC(2026, 1, 15) / 1000;
const mar15 = Date.UTC(2026, 2, 15) / 1000;

async function setup() {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
  const product = await stripe.products.create({ name: "Plan" });
  const basic = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 1000, recurring: { interval: "month" } });
  const pro = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500, recurring: { interval: "month" } });
  return { clock, customer, basic, pro };
}

async function eventsAbout(type: string, id: string): Promise<Stripe.Event[]> {
  const events = await stripe.events.list({ type, limit: 100 });
  return events.data.filter((event) => (event.data.object as { id?: string }).id === id);
}

describe("subscription schedules", () => {
  it("from_subscription + a second phase changes the plan at period end, without prorations, then releases", async () => {
    const { clock, customer, basic, pro } = await setup();
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    expect(schedule).toMatchObject({
      object: "subscription_schedule",
      status: "active",
      subscription: subscription.id,
      customer: customer.id,
      end_behavior: "release",
      current_phase: { start_date: start, end_date: feb15 },
      test_clock: clock.id,
    });
    expect(schedule.phases).toHaveLength(1);
    expect(schedule.phases[0]?.items[0]).toMatchObject({ price: basic.id, quantity: 1 });
    expect((await stripe.subscriptions.retrieve(subscription.id)).schedule).toBe(schedule.id);
    await expect(stripe.subscriptionSchedules.create({ from_subscription: subscription.id })).rejects.toMatchObject({ statusCode: 400, param: "from_subscription" });

    const updated = await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: basic.id, quantity: 1 }], start_date: start, end_date: feb15 },
        { items: [{ price: pro.id, quantity: 2 }], duration: { interval: "month", interval_count: 1 }, proration_behavior: "none" },
      ],
    });
    expect(updated.phases.map((phase) => [phase.start_date, phase.end_date])).toEqual([
      [start, feb15],
      [feb15, mar15],
    ]);
    // Nothing changes before the boundary: same items, no prorations pending.
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data.map((item) => item.price.id)).toEqual([basic.id]);
    expect((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data).toHaveLength(0);
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).phases).toHaveLength(2);
    expect((await stripe.subscriptionSchedules.list({ customer: customer.id })).data.map((listed) => listed.id)).toEqual([schedule.id]);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: feb15 + 2 * 3600 });
    const switched = await stripe.subscriptions.retrieve(subscription.id, { expand: ["latest_invoice"] });
    expect(switched.items.data.map((item) => [item.price.id, item.quantity])).toEqual([[pro.id, 2]]);
    expect(switched.items.data[0]).toMatchObject({ current_period_start: feb15, current_period_end: mar15 });
    const renewal = switched.latest_invoice as Stripe.Invoice;
    expect(renewal).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", total: 5000 });
    expect(renewal.lines.data.some((line) => line.parent?.subscription_item_details?.proration || line.parent?.invoice_item_details?.proration)).toBe(false);
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).current_phase).toEqual({ start_date: feb15, end_date: mar15 });
    expect((await eventsAbout("subscription_schedule.updated", schedule.id)).length).toBeGreaterThanOrEqual(2);
    const subscriptionUpdates = await eventsAbout("customer.subscription.updated", subscription.id);
    expect(subscriptionUpdates.some((event) => (event.data.previous_attributes as { items?: unknown } | undefined)?.items !== undefined)).toBe(true);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: mar15 + 2 * 3600 });
    const released = await stripe.subscriptionSchedules.retrieve(schedule.id);
    expect(released).toMatchObject({ status: "released", released_subscription: subscription.id, subscription: null, current_phase: null, released_at: mar15 });
    const after = await stripe.subscriptions.retrieve(subscription.id);
    expect(after).toMatchObject({ status: "active", schedule: null });
    expect(after.items.data.map((item) => item.price.id)).toEqual([pro.id]);
    expect(await eventsAbout("subscription_schedule.released", schedule.id)).toHaveLength(1);
  });

  it("customer + phases starts a subscription; a phase ending mid-period switches items then; end_behavior=cancel ends it", async () => {
    const { clock, customer, basic, pro } = await setup();
    const tenDays = start + 10 * daySeconds;
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: "now",
      end_behavior: "cancel",
      phases: [
        { items: [{ price: basic.id }], end_date: tenDays },
        { items: [{ price: pro.id, quantity: 3 }], end_date: tenDays + 5 * daySeconds },
      ],
    });
    expect(schedule).toMatchObject({ status: "active", current_phase: { start_date: start, end_date: tenDays } });
    const subscription = await stripe.subscriptions.retrieve(schedule.subscription as string);
    expect(subscription).toMatchObject({ status: "active", schedule: schedule.id, cancel_at: tenDays + 5 * daySeconds });
    expect(subscription.items.data.map((item) => item.price.id)).toEqual([basic.id]);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: tenDays + 60 });
    const switched = await stripe.subscriptions.retrieve(subscription.id);
    expect(switched.items.data.map((item) => [item.price.id, item.quantity])).toEqual([[pro.id, 3]]);
    expect(switched.items.data[0]).toMatchObject({ current_period_start: start, current_period_end: feb15 });
    expect((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data).toHaveLength(0);
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).current_phase).toEqual({ start_date: tenDays, end_date: tenDays + 5 * daySeconds });

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: tenDays + 6 * daySeconds });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "canceled", ended_at: tenDays + 5 * daySeconds });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({ status: "completed", completed_at: tenDays + 5 * daySeconds });
  });

  it("a future start_date waits as not_started; release keeps the subscription; cancel ends it", async () => {
    const { clock, customer, basic, pro } = await setup();
    const later = start + 3 * daySeconds;
    const pending = await stripe.subscriptionSchedules.create({ customer: customer.id, start_date: later, phases: [{ items: [{ price: pro.id }], duration: { interval: "month", interval_count: 2 } }] });
    expect(pending).toMatchObject({ status: "not_started", subscription: null });
    expect((await stripe.subscriptionSchedules.list({ customer: customer.id, scheduled: true })).data.map((listed) => listed.id)).toEqual([pending.id]);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: later + 60 });
    const started = await stripe.subscriptionSchedules.retrieve(pending.id);
    expect(started.status).toBe("active");
    const startedSubscription = await stripe.subscriptions.retrieve(started.subscription as string);
    expect(startedSubscription).toMatchObject({ status: "active", start_date: later });

    const released = await stripe.subscriptionSchedules.release(pending.id);
    expect(released).toMatchObject({ status: "released", released_subscription: startedSubscription.id });
    expect(await stripe.subscriptions.retrieve(startedSubscription.id)).toMatchObject({ status: "active", schedule: null });
    await expect(stripe.subscriptionSchedules.update(pending.id, { metadata: { a: "b" } })).rejects.toMatchObject({ statusCode: 400 });

    const other = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: other.id });
    const canceled = await stripe.subscriptionSchedules.cancel(schedule.id, { prorate: false });
    expect(canceled).toMatchObject({ status: "canceled", canceled_at: later + 60 });
    expect(await stripe.subscriptions.retrieve(other.id)).toMatchObject({ status: "canceled" });
    expect(await eventsAbout("subscription_schedule.canceled", schedule.id)).toHaveLength(1);
  });

  it("changing the current phase's items applies them at once with its proration_behavior; bad phases are refused", async () => {
    const { clock, customer, basic, pro } = await setup();
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 5 * daySeconds });
    await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [{ items: [{ price: pro.id }], start_date: start, end_date: feb15, proration_behavior: "create_prorations" }],
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data.map((item) => item.price.id)).toEqual([pro.id]);
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data.map((item) => item.amount > 0).sort()).toEqual([false, true]);

    await expect(
      stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: pro.id }], start_date: start, end_date: feb15 }, { items: [{ price: basic.id }], start_date: feb15 + 1, duration: { interval: "month" } }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: "phases[1][start_date]" });
    await expect(
      stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: pro.id }], start_date: start }, { items: [{ price: basic.id }] }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: "phases[0][end_date]" });
  });
});
