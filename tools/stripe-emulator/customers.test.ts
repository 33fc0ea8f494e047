import Stripe from "stripe";
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

describe("customers and payment methods through the SDK", () => {
  it("creates, retrieves, updates and deletes a customer", async () => {
    const customer = await stripe.customers.create({ email: "ada@example.com", name: "Ada", metadata: { tally_id: "c1" } });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.object).toBe("customer");
    expect(customer.livemode).toBe(false);
    const updated = await stripe.customers.update(customer.id, { name: "Ada L.", metadata: { tally_id: "" , plan: "pro" } });
    expect(updated.name).toBe("Ada L.");
    expect(updated.metadata).toEqual({ plan: "pro" });
    const deleted = await stripe.customers.del(customer.id);
    expect(deleted).toMatchObject({ id: customer.id, deleted: true });
    const retrieved = await stripe.customers.retrieve(customer.id);
    expect(retrieved.deleted).toBe(true);
  });

  it("attaches pm_card_visa with brand and last4, and makes it the default", async () => {
    const customer = await stripe.customers.create({ email: "b@example.com" });
    const paymentMethod = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    expect(paymentMethod.id).toMatch(/^pm_/);
    expect(paymentMethod.id).not.toBe("pm_card_visa");
    expect(paymentMethod.card?.brand).toBe("visa");
    expect(paymentMethod.card?.last4).toBe("4242");
    const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod.id } });
    expect(updated.invoice_settings.default_payment_method).toBe(paymentMethod.id);
    const listed = await stripe.customers.listPaymentMethods(customer.id);
    expect(listed.data.map((item) => item.id)).toEqual([paymentMethod.id]);
    const detached = await stripe.paymentMethods.detach(paymentMethod.id);
    expect(detached.customer).toBeNull();
  });

  it("refuses to attach pm_card_chargeDeclined with a 402 card error", async () => {
    const customer = await stripe.customers.create({});
    const error = await stripe.paymentMethods.attach("pm_card_chargeDeclined", { customer: customer.id }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ type: "StripeCardError", statusCode: 402, code: "card_declined", decline_code: "generic_decline" });
  });

  it("creates a customer with a test token as payment method and default", async () => {
    const customer = await stripe.customers.create({
      payment_method: "pm_card_visa",
      invoice_settings: { default_payment_method: "pm_card_visa" },
    });
    expect(customer.invoice_settings.default_payment_method).toMatch(/^pm_/);
    expect(customer.invoice_settings.default_payment_method).not.toBe("pm_card_visa");
  });

  it("keeps a balance and balance transactions", async () => {
    const customer = await stripe.customers.create({});
    const transaction = await stripe.customers.createBalanceTransaction(customer.id, { amount: -500, currency: "usd", description: "goodwill" });
    expect(transaction).toMatchObject({ object: "customer_balance_transaction", amount: -500, ending_balance: -500, type: "adjustment" });
    expect(transaction.id).toMatch(/^cbtxn_/);
    const after = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(after.balance).toBe(-500);
    const list = await stripe.customers.listBalanceTransactions(customer.id);
    expect(list.data).toHaveLength(1);
  });

  it("creates products with licensed and metered prices", async () => {
    const product = await stripe.products.create({ name: "Pro" });
    const seat = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2000, recurring: { interval: "month" } });
    expect(seat.recurring).toMatchObject({ interval: "month", interval_count: 1, usage_type: "licensed", meter: null });
    expect(seat.unit_amount).toBe(2000);
    expect(seat.unit_amount_decimal?.toString()).toBe("2000");
    const meter = await stripe.billing.meters.create({ display_name: "Tokens", event_name: "tokens", default_aggregation: { formula: "sum" } });
    const metered = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount_decimal: Stripe.Decimal.from("0.5"),
      recurring: { interval: "month", usage_type: "metered", meter: meter.id },
    });
    expect(metered.unit_amount).toBeNull();
    expect(metered.recurring?.meter).toBe(meter.id);
  });
});
