import fc from "fast-check";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWithClient, type EmulatorFixture } from "./test-support";

let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient();
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

/** The expected amount, computed independently of the emulator: half away from zero on exact integers. */
function expectedProration(unitAmount: number, quantity: number, remaining: number, period: number): number {
  const numerator = BigInt(unitAmount) * BigInt(quantity) * BigInt(remaining);
  const denominator = BigInt(period);
  return Number((numerator * 2n + denominator) / (denominator * 2n));
}

async function subscribed(start: number, unitAmount: number, quantity: number) {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
  const product = await stripe.products.create({ name: "Seat" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: unitAmount, recurring: { interval: "month" } });
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity }] });
  return { clock, customer, product, subscription };
}

describe("prorations", () => {
  it("a mid-cycle upgrade credits the old price and debits the new one, to the cent, in the preview and in the pending items", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Date.UTC(2025, 0, 1) / 1000, max: Date.UTC(2027, 11, 31) / 1000 }),
        fc.integer({ min: 1, max: 250_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 250_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        async (start, oldUnit, oldQuantity, newUnit, newQuantity, fraction) => {
          const { clock, customer, product, subscription } = await subscribed(start, oldUnit, oldQuantity);
          const item = subscription.items.data[0] as Stripe.SubscriptionItem;
          const periodSeconds = item.current_period_end - item.current_period_start;
          const changeAt = start + Math.max(1, Math.floor(periodSeconds * fraction));
          await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: changeAt });
          const newPrice = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: newUnit, recurring: { interval: "month" } });
          const remaining = item.current_period_end - changeAt;
          const credit = -expectedProration(oldUnit, oldQuantity, remaining, periodSeconds);
          const debit = expectedProration(newUnit, newQuantity, remaining, periodSeconds);
          const change = [{ id: item.id, price: newPrice.id, quantity: newQuantity }];

          const preview = await stripe.invoices.createPreview({
            customer: customer.id,
            subscription: subscription.id,
            subscription_details: { items: change, proration_date: changeAt, proration_behavior: "create_prorations" },
          });
          const previewProrations = preview.lines.data.filter((line) => line.parent?.invoice_item_details?.proration || line.parent?.subscription_item_details?.proration);
          expect(previewProrations.map((line) => line.amount)).toEqual([credit, debit]);
          const nextPeriodLine = preview.lines.data.find((line) => line.parent?.subscription_item_details?.proration === false);
          expect(nextPeriodLine?.amount).toBe(newUnit * newQuantity);
          expect(preview.total).toBe(credit + debit + newUnit * newQuantity);

          await stripe.subscriptions.update(subscription.id, { items: change, proration_behavior: "create_prorations", proration_date: changeAt });
          const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
          const amounts = pending.data.map((pendingItem) => pendingItem.amount).sort((a, b) => a - b);
          expect(amounts).toEqual([credit, debit].sort((a, b) => a - b));
          expect(pending.data.every((pendingItem) => pendingItem.proration && pendingItem.period.end === item.current_period_end)).toBe(true);
        },
      ),
      { numRuns: 12, seed: 20260115 },
    );
  });

  it("always_invoice bills the prorations at once, and none creates nothing", async () => {
    const start = Date.UTC(2026, 3, 1) / 1000;
    const { clock, customer, product, subscription } = await subscribed(start, 1000, 1);
    const item = subscription.items.data[0] as Stripe.SubscriptionItem;
    const half = start + Math.floor((item.current_period_end - start) / 2);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: half });
    const bigger = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 3000, recurring: { interval: "month" } });
    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, price: bigger.id }],
      proration_behavior: "always_invoice",
      expand: ["latest_invoice"],
    });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    const remaining = item.current_period_end - half;
    const period = item.current_period_end - start;
    expect(invoice).toMatchObject({ status: "paid", billing_reason: "subscription_update" });
    expect(invoice.total).toBe(expectedProration(3000, 1, remaining, period) - expectedProration(1000, 1, remaining, period));
    await stripe.subscriptions.update(subscription.id, { items: [{ id: item.id, quantity: 5 }], proration_behavior: "none" });
    const pending = await stripe.invoiceItems.list({ customer: customer.id, pending: true });
    expect(pending.data).toHaveLength(0);
  });
});
