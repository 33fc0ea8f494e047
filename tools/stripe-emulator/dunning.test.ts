import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daySeconds, startWithClient, type EmulatorFixture } from "./test-support";

const start = Date.UTC(2026, 4, 1, 9, 0, 0) / 1000;
let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient({ config: { dunning: { retryOffsetsSeconds: [3 * daySeconds, 5 * daySeconds, 7 * daySeconds] } } });
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

/** A subscription whose card attaches fine and then fails every charge; the trial makes the first invoice free. */
async function failingSubscription() {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ test_clock: clock.id });
  const card = await stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
  const product = await stripe.products.create({ name: "Pro" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 4900, recurring: { interval: "month" } });
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 7 });
  const firstAttempt = start + 7 * daySeconds + 3600;
  return { clock, customer, card, subscription, firstAttempt };
}

async function advance(clockId: string, to: number): Promise<void> {
  await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: to });
}

describe("failed renewal payments", () => {
  it("go past_due, retry at +3d, +5d and +7d from the first failure, then end unpaid", async () => {
    fixture.emulator.setConfig({ dunning: { subscriptionAfterRetries: "unpaid", invoiceAfterRetries: "open" } });
    const { clock, customer, subscription, firstAttempt } = await failingSubscription();
    await advance(clock.id, firstAttempt + 60);
    const [invoice] = (await stripe.invoices.list({ subscription: subscription.id, status: "open" })).data;
    expect(invoice).toMatchObject({ status: "open", attempt_count: 1, attempted: true, amount_remaining: 4900, next_payment_attempt: firstAttempt + 3 * daySeconds });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("past_due");

    await advance(clock.id, firstAttempt + 3 * daySeconds + 60);
    expect((await stripe.invoices.retrieve(invoice!.id)).next_payment_attempt).toBe(firstAttempt + 5 * daySeconds);
    await advance(clock.id, firstAttempt + 7 * daySeconds + 60);
    const exhausted = await stripe.invoices.retrieve(invoice!.id);
    expect(exhausted).toMatchObject({ status: "open", attempt_count: 4, next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("unpaid");

    const charges = await stripe.charges.list({ customer: customer.id, limit: 10 });
    expect(charges.data.map((charge) => charge.created).sort()).toEqual([
      firstAttempt,
      firstAttempt + 3 * daySeconds,
      firstAttempt + 5 * daySeconds,
      firstAttempt + 7 * daySeconds,
    ]);
    expect(charges.data.every((charge) => charge.status === "failed" && charge.failure_code === "card_declined")).toBe(true);
    const failures = await stripe.events.list({ type: "invoice.payment_failed", limit: 100 });
    expect(failures.data.filter((event) => (event.data.object as Stripe.Invoice).id === invoice!.id)).toHaveLength(4);
  });

  it("cancel the subscription when so configured", async () => {
    fixture.emulator.setConfig({ dunning: { subscriptionAfterRetries: "canceled", invoiceAfterRetries: "uncollectible" } });
    const { clock, subscription, firstAttempt } = await failingSubscription();
    await advance(clock.id, firstAttempt + 7 * daySeconds + 60);
    const canceled = await stripe.subscriptions.retrieve(subscription.id);
    expect(canceled.status).toBe("canceled");
    expect(canceled.cancellation_details?.reason).toBe("payment_failed");
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data[0]?.status).toBe("uncollectible");
  });

  it("recover when a retry succeeds, and a manual pay with a declined card answers 402", async () => {
    fixture.emulator.setConfig({ dunning: { subscriptionAfterRetries: "canceled", invoiceAfterRetries: "open" } });
    const { clock, card, subscription, firstAttempt } = await failingSubscription();
    await advance(clock.id, firstAttempt + 60);
    const [invoice] = (await stripe.invoices.list({ subscription: subscription.id, status: "open" })).data;
    const error = await stripe.invoices.pay(invoice!.id).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ type: "StripeCardError", statusCode: 402, code: "card_declined", decline_code: "generic_decline" });
    fixture.emulator.setCardBehavior(card.id, { outcome: "succeed" });
    await advance(clock.id, firstAttempt + 3 * daySeconds + 60);
    expect(await stripe.invoices.retrieve(invoice!.id)).toMatchObject({ status: "paid", amount_paid: 4900, next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("active");
  });

  it("a declined first payment leaves the subscription incomplete", async () => {
    const customer = await stripe.customers.create({});
    const card = await stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    const product = await stripe.products.create({ name: "Solo" });
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 900, recurring: { interval: "month" } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: card.id, expand: ["latest_invoice"] });
    expect(subscription.status).toBe("incomplete");
    expect((subscription.latest_invoice as Stripe.Invoice).status).toBe("open");
  });
});
