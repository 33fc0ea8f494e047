import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daySeconds, startWebhookReceiver, startWithClient, type EmulatorFixture } from "./test-support";

let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient();
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

/** Independent of the emulator: unit × quantity × remaining / period, half away from zero, on integers. */
function expectedProration(unitAmount: number, quantity: number, remaining: number, period: number): number {
  const numerator = BigInt(unitAmount) * BigInt(quantity) * BigInt(remaining);
  const denominator = BigInt(period);
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}

describe("billing_cycle_anchor=now on update", () => {
  async function subscribedTenDaysAgo() {
    const start = Date.UTC(2026, 5, 1) / 1000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
    const product = await stripe.products.create({ name: "Seat" });
    const basic = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 1000, recurring: { interval: "month" } });
    const pro = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500, recurring: { interval: "month" } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id, quantity: 3 }] });
    const now = start + 10 * daySeconds;
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now });
    return { start, now, customer, basic, pro, subscription, item: subscription.items.data[0] as Stripe.SubscriptionItem };
  }

  it("restarts the period now and invoices the new items in full, less the unused time of the old ones", async () => {
    const { now, pro, subscription, item } = await subscribedTenDaysAgo();
    const updated = await stripe.subscriptions.update(subscription.id, {
      billing_cycle_anchor: { type: "now" },
      proration_behavior: "create_prorations",
      items: [{ id: item.id, price: pro.id, quantity: 2 }],
      expand: ["latest_invoice"],
    });
    const newEnd = Date.UTC(2026, 6, 11) / 1000;
    expect(updated.billing_cycle_anchor).toBe(now);
    expect(updated.items.data[0]).toMatchObject({ price: { id: pro.id }, quantity: 2, current_period_start: now, current_period_end: newEnd });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    const credit = -expectedProration(1000, 3, item.current_period_end - now, item.current_period_end - item.current_period_start);
    expect(invoice).toMatchObject({ billing_reason: "subscription_update", status: "paid" });
    expect(invoice.lines.data.map((line) => line.amount).sort((a, b) => a - b)).toEqual([credit, 5000]);
    expect(invoice.total).toBe(5000 + credit);
    expect(invoice.amount_paid).toBe(5000 + credit);

    const events = await stripe.events.list({ type: "customer.subscription.updated", limit: 100 });
    const event = events.data.find((candidate) => (candidate.data.object as Stripe.Subscription).id === subscription.id);
    expect((event?.data.previous_attributes as { billing_cycle_anchor?: number } | undefined)?.billing_cycle_anchor).toBe(item.current_period_start);
  });

  it("with proration_behavior=none bills the new period without a credit", async () => {
    const { now, subscription } = await subscribedTenDaysAgo();
    // The older API versions' plain form, as a raw string.
    const legacy = { billing_cycle_anchor: "now", proration_behavior: "none", expand: ["latest_invoice"] } as unknown as Stripe.SubscriptionUpdateParams;
    const updated = await stripe.subscriptions.update(subscription.id, legacy);
    const invoice = updated.latest_invoice as Stripe.Invoice;
    expect(invoice.lines.data.map((line) => line.amount)).toEqual([3000]);
    expect(invoice.period_start).toBe(now);
    expect(updated.items.data[0]?.current_period_start).toBe(now);
    await expect(stripe.subscriptions.update(subscription.id, { billing_cycle_anchor: { type: "later" } })).rejects.toMatchObject({
      statusCode: 400,
      param: "billing_cycle_anchor[type]",
    });
  });
});

describe("webhook endpoints with an explicit secret", () => {
  it("the in-process API and the control API accept a fixed secret; Stripe's REST endpoint does not", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const secret = "whsec_tally_dev_fixed_secret";
      const endpoint = fixture.emulator.webhooks.createEndpoint({ url: receiver.url, enabled_events: ["customer.created"], secret });
      expect(endpoint).toMatchObject({ object: "webhook_endpoint", secret, status: "enabled" });
      expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

      const controlReply = await fetch(`${fixture.emulator.url}/_emulator/webhook_endpoints`, {
        method: "POST",
        body: JSON.stringify({ url: receiver.url, enabled_events: ["customer.created"], secret: "whsec_second" }),
      });
      expect(controlReply.status).toBe(200);
      const viaControl = (await controlReply.json()) as Stripe.WebhookEndpoint;
      expect(viaControl.secret).toBe("whsec_second");
      const badReply = await fetch(`${fixture.emulator.url}/_emulator/webhook_endpoints`, {
        method: "POST",
        body: JSON.stringify({ url: receiver.url, enabled_events: ["*"], secret: "not a secret" }),
      });
      expect(badReply.status).toBe(400);

      const customer = await stripe.customers.create({ email: "hook@example.com" });
      await fixture.emulator.webhooks.waitForIdle();
      const deliveries = receiver.received.map((delivery) => ({ delivery, event: JSON.parse(delivery.rawBody) as Stripe.Event }));
      const forCustomer = deliveries.filter(({ event }) => (event.data.object as { id?: string }).id === customer.id);
      expect(forCustomer).toHaveLength(2);
      const verified = forCustomer.filter(({ delivery }) => {
        try {
          stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret);
          return true;
        } catch {
          return false;
        }
      });
      expect(verified).toHaveLength(1);

      await stripe.webhookEndpoints.del(endpoint.id);
      await stripe.webhookEndpoints.del(viaControl.id);
      await expect(
        stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"], secret } as Stripe.WebhookEndpointCreateParams),
      ).rejects.toMatchObject({ statusCode: 400, param: "secret" });
    } finally {
      await receiver.close();
    }
  });
});

describe("invoice.updated on status changes", () => {
  it("finalize, pay and void each send invoice.updated with the previous status", async () => {
    const customer = await stripe.customers.create({ payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1500, currency: "usd" });
    const paid = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    await stripe.invoices.finalizeInvoice(paid.id);
    await stripe.invoices.pay(paid.id);
    await stripe.invoiceItems.create({ customer: customer.id, amount: 700, currency: "usd" });
    const voided = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    await stripe.invoices.finalizeInvoice(voided.id);
    await stripe.invoices.voidInvoice(voided.id);

    const events = (await stripe.events.list({ type: "invoice.updated", limit: 100 })).data.reverse();
    const statusChanges = (invoiceId: string) =>
      events
        .filter((event) => (event.data.object as Stripe.Invoice).id === invoiceId)
        .map((event) => [(event.data.previous_attributes as { status?: string }).status, (event.data.object as Stripe.Invoice).status]);
    expect(statusChanges(paid.id)).toEqual([
      ["draft", "open"],
      ["open", "paid"],
    ]);
    expect(statusChanges(voided.id)).toEqual([
      ["draft", "open"],
      ["open", "void"],
    ]);
  });
});
