import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daySeconds, startWithClient, type EmulatorFixture } from "./test-support";

const start = Date.UTC(2026, 5, 1, 0, 0, 0) / 1000;
let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient({ startTime: start + 10 * daySeconds });
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("billing meters", () => {
  it("dedupes by identifier, checks timestamps, and sums summaries per window", async () => {
    const meter = await stripe.billing.meters.create({ display_name: "Tokens", event_name: "tokens_a", default_aggregation: { formula: "sum" } });
    expect(meter.id).toMatch(/^mtr_/);
    const customer = await stripe.customers.create({});
    const now = fixture.emulator.clock.now();
    const hour = now - (now % 3600) - 3 * 3600;
    const send = (identifier: string, value: string, timestamp: number) =>
      stripe.billing.meterEvents.create({ event_name: "tokens_a", identifier, timestamp, payload: { stripe_customer_id: customer.id, value } });
    await send("e1", "100", hour + 10);
    await send("e2", "250", hour + 1800);
    await send("e3", "7", hour + 3600 + 5);
    const duplicate = await send("e1", "100", hour + 10).catch((caught: unknown) => caught);
    expect(duplicate).toMatchObject({ statusCode: 400, type: "StripeInvalidRequestError", param: "identifier" });
    const tooOld = await send("e4", "1", now - 36 * daySeconds).catch((caught: unknown) => caught);
    expect(tooOld).toMatchObject({ statusCode: 400, param: "timestamp", code: "timestamp_too_far_in_past" });
    const tooNew = await send("e5", "1", now + 330).catch((caught: unknown) => caught);
    expect(tooNew).toMatchObject({ statusCode: 400, param: "timestamp", code: "timestamp_in_future" });
    await send("e6", "1", now + 270);

    const total = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: hour, end_time: hour + 3 * 3600 });
    expect(total.data.map((summary) => summary.aggregated_value)).toEqual([357]);
    const hourly = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: hour,
      end_time: hour + 3 * 3600,
      value_grouping_window: "hour",
    });
    expect(hourly.data.map((summary) => [summary.start_time - hour, summary.aggregated_value])).toEqual([
      [0, 350],
      [3600, 7],
      [7200, 0],
    ]);
    const misaligned = await stripe.billing.meters
      .listEventSummaries(meter.id, { customer: customer.id, start_time: hour + 1, end_time: hour + 3600 })
      .catch((caught: unknown) => caught);
    expect(misaligned).toMatchObject({ statusCode: 400, param: "start_time" });
  });

  it("bills metered usage in arrears at renewal", async () => {
    const meter = await stripe.billing.meters.create({ display_name: "Requests", event_name: "requests_b", default_aggregation: { formula: "sum" } });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
    const product = await stripe.products.create({ name: "API" });
    const price = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount_decimal: Stripe.Decimal.from("0.5"),
      recurring: { interval: "month", usage_type: "metered", meter: meter.id },
    });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await stripe.billing.meterEvents.create({ event_name: "requests_b", payload: { stripe_customer_id: customer.id, value: "1001" }, timestamp: start + 100 });
    await stripe.billing.meterEvents.create({ event_name: "requests_b", payload: { stripe_customer_id: customer.id, value: "2000" }, timestamp: start + 200 });
    const renewal = Date.UTC(2026, 6, 1, 0, 0, 0) / 1000;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal + 3601 });
    const [invoice] = (await stripe.invoices.list({ subscription: subscription.id, limit: 1 })).data;
    // 3001 × 0.5¢ = 1500.5¢, rounded half away from zero to 1501.
    expect(invoice).toMatchObject({ status: "paid", total: 1501 });
    expect(invoice?.lines.data[0]?.period).toEqual({ start, end: renewal });
  });
});
