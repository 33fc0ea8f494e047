import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daySeconds, startWebhookReceiver, startWithClient, type EmulatorFixture } from "./test-support";

const start = Date.UTC(2026, 0, 15, 12, 0, 0) / 1000;
let fixture: EmulatorFixture;
let stripe: Stripe;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let secret: string;

beforeAll(async () => {
  fixture = await startWithClient({ config: { webhooks: { retryDelaysMs: [20, 40], timeoutMs: 2000 } } });
  stripe = fixture.stripe;
  receiver = await startWebhookReceiver();
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"] });
  secret = endpoint.secret ?? "";
});
afterAll(async () => {
  await fixture.emulator.close();
  await receiver.close();
});

async function advance(clock: Stripe.TestHelpers.TestClock, to: number): Promise<void> {
  const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: to });
  expect(advanced.status).toBe("ready");
  expect(advanced.frozen_time).toBe(to);
}

describe("a seat subscription with a trial, on a test clock", () => {
  it("bills the trial end and two renewals: draft, finalized after the window, paid, with signed webhooks", async () => {
    expect(secret).toMatch(/^whsec_/);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "trial flow" });
    const customer = await stripe.customers.create({ email: "team@example.com", test_clock: clock.id });
    expect(customer.created).toBe(start);
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
    const product = await stripe.products.create({ name: "Team" });
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2000, recurring: { interval: "month" } });

    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 3 }],
      trial_period_days: 14,
      expand: ["latest_invoice"],
    });
    const trialEnd = start + 14 * daySeconds;
    expect(subscription.status).toBe("trialing");
    expect(subscription.trial_end).toBe(trialEnd);
    expect(subscription.items.data[0]).toMatchObject({ current_period_start: start, current_period_end: trialEnd, quantity: 3 });
    const firstInvoice = subscription.latest_invoice as Stripe.Invoice;
    expect(firstInvoice).toMatchObject({ status: "paid", total: 0, billing_reason: "subscription_create" });
    expect(firstInvoice.parent?.subscription_details?.subscription).toBe(subscription.id);

    // Just after the trial ends the renewal invoice is a draft, and an invoice item can still join it.
    await advance(clock, trialEnd + 600);
    const afterTrial = await stripe.subscriptions.retrieve(subscription.id);
    expect(afterTrial.status).toBe("active");
    const draft = await stripe.invoices.retrieve(afterTrial.latest_invoice as string);
    expect(draft).toMatchObject({ status: "draft", total: 6000, billing_reason: "subscription_cycle", automatically_finalizes_at: trialEnd + 3600 });
    await stripe.invoiceItems.create({ customer: customer.id, invoice: draft.id, amount: 500, currency: "usd", description: "Onboarding" });

    await advance(clock, trialEnd + 3601);
    const trialInvoice = await stripe.invoices.retrieve(draft.id, { expand: ["payments"] });
    expect(trialInvoice).toMatchObject({ status: "paid", total: 6500, amount_paid: 6500, amount_remaining: 0, attempt_count: 1 });
    expect(trialInvoice.status_transitions.finalized_at).toBe(trialEnd + 3600);
    expect(trialInvoice.number).toMatch(/-0002$/);
    expect(trialInvoice.hosted_invoice_url).toContain(trialInvoice.id);
    expect(trialInvoice.payments?.data[0]?.payment.payment_intent).toMatch(/^pi_/);

    const firstRenewal = afterTrial.items.data[0]?.current_period_end ?? 0;
    expect(firstRenewal).toBe(Date.UTC(2026, 1, 28, 12, 0, 0) / 1000);
    await advance(clock, firstRenewal + 3601);
    // Periods count from the anchor (29 Jan), so February clamps to the 28th and March is back on the 29th.
    const secondRenewal = Date.UTC(2026, 2, 29, 12, 0, 0) / 1000;
    await advance(clock, secondRenewal + 3601);

    const invoices = await stripe.invoices.list({ subscription: subscription.id, limit: 10 });
    expect(invoices.data.map((invoice) => [invoice.status, invoice.total])).toEqual([
      ["paid", 6000],
      ["paid", 6000],
      ["paid", 6500],
      ["paid", 0],
    ]);
    const latest = invoices.data[0];
    expect(latest?.lines.data[0]).toMatchObject({ amount: 6000, period: { start: secondRenewal }, quantity: 3 });
    expect(latest?.lines.data[0]?.parent?.subscription_item_details?.subscription_item).toBe(subscription.items.data[0]?.id);

    await fixture.emulator.webhooks.waitForIdle(10_000);
    const events = receiver.received.map((delivery) => stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret));
    const forThisCustomer = events.filter((event) => (event.data.object as { customer?: string }).customer === customer.id);
    const count = (type: string): number => forThisCustomer.filter((event) => event.type === type).length;
    expect(count("invoice.created")).toBe(4);
    expect(count("invoice.finalized")).toBe(4);
    expect(count("invoice.paid")).toBe(4);
    expect(count("invoice.payment_succeeded")).toBe(3);
    expect(count("customer.subscription.created")).toBe(1);
    expect(count("invoiceitem.created")).toBe(1);
    const statusChange = forThisCustomer.find((event) => event.type === "customer.subscription.updated" && (event.data.previous_attributes as { status?: string } | undefined)?.status === "trialing");
    expect(statusChange).toBeDefined();
    expect(events.every((event) => event.api_version === fixture.emulator.stripeClientOptions.apiVersion)).toBe(true);
    expect(() => stripe.webhooks.constructEvent(receiver.received[0]?.rawBody ?? "", receiver.received[0]?.signature ?? "", "whsec_wrong")).toThrow();
    const listed = await stripe.events.list({ type: "invoice.paid", limit: 100 });
    expect(listed.data.filter((event) => (event.data.object as Stripe.Invoice).customer === customer.id)).toHaveLength(4);
  });
});
