import fs from "node:fs";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, startWithClient, type EmulatorFixture } from "./test-support";

const fixturesPath = "/work/shared/stripe/fixtures-billing.json";
const fixtures = (JSON.parse(fs.readFileSync(fixturesPath, "utf8")) as { resources: Record<string, unknown> }).resources;

/**
 * Key paths the fixture has and the emulator's object lacks. Arrays are compared by their first
 * element; a field the emulator returns as null (a nullable sub-object, like `discount`) is not
 * descended into, since Stripe returns null there too when the feature is unused. `metadata` holds
 * the account's own keys, so only its presence is compared.
 */
export function missingKeyPaths(fixture: unknown, actual: unknown, path = ""): string[] {
  if (fixture === null || typeof fixture !== "object") return [];
  if (actual === null || actual === undefined || typeof actual !== "object") return [];
  if (Array.isArray(fixture)) {
    if (!Array.isArray(actual) || fixture.length === 0 || actual.length === 0) return [];
    return missingKeyPaths(fixture[0], actual[0], `${path}[0]`);
  }
  const missing: string[] = [];
  for (const [key, value] of Object.entries(fixture as Record<string, unknown>)) {
    const childPath = path === "" ? key : `${path}.${key}`;
    if (!(key in (actual as Record<string, unknown>))) {
      missing.push(childPath);
      continue;
    }
    if (key === "metadata") continue;
    missing.push(...missingKeyPaths(value, (actual as Record<string, unknown>)[key], childPath));
  }
  return missing;
}

let fixture: EmulatorFixture;
let stripe: Stripe;
const objects: Record<string, unknown> = {};

beforeAll(async () => {
  fixture = await startWithClient();
  stripe = fixture.stripe;
  const receiver = await startWebhookReceiver();
  objects.webhook_endpoint = await stripe.webhookEndpoints.retrieve((await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"] })).id);
  await receiver.close();
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
  objects["test_helpers.test_clock"] = clock;
  const customer = await stripe.customers.create({ email: "shape@example.com", test_clock: clock.id });
  const paymentMethod = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  objects.payment_method = paymentMethod;
  objects.customer = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod.id } });
  objects.customer_balance_transaction = await stripe.customers.createBalanceTransaction(customer.id, { amount: 100, currency: "usd" });
  const product = await stripe.products.create({ name: "Shape" });
  objects.product = product;
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 1500, recurring: { interval: "month" } });
  objects.price = price;
  const meter = await stripe.billing.meters.create({ display_name: "Shape", event_name: "shape_events", default_aggregation: { formula: "sum" } });
  objects["billing.meter"] = meter;
  objects["billing.meter_event"] = await stripe.billing.meterEvents.create({ event_name: "shape_events", payload: { stripe_customer_id: customer.id, value: "3" } });
  const now = clock.frozen_time - (clock.frozen_time % 60);
  objects["billing.meter_event_summary"] = (
    await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: now - 3600, end_time: now + 600 })
  ).data[0];
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], expand: ["latest_invoice.payments"] });
  objects.subscription = subscription;
  objects.subscription_item = subscription.items.data[0];
  const invoice = subscription.latest_invoice as Stripe.Invoice;
  objects.invoice = invoice;
  objects.line_item = invoice.lines.data[0];
  const invoicePayment = invoice.payments?.data[0];
  objects.invoice_payment = invoicePayment;
  const paymentIntent = await stripe.paymentIntents.retrieve(invoicePayment?.payment.payment_intent as string);
  objects.payment_intent = paymentIntent;
  objects.charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
  objects.refund = await stripe.refunds.create({ charge: paymentIntent.latest_charge as string, amount: 100 });
  objects.invoiceitem = await stripe.invoiceItems.create({ customer: customer.id, amount: 250, currency: "usd", description: "Extra" });
  const paidInvoice = await stripe.invoices.retrieve(invoice.id);
  const creditNote = await stripe.creditNotes.create({
    invoice: paidInvoice.id,
    lines: [{ type: "invoice_line_item", invoice_line_item: paidInvoice.lines.data[0]?.id as string, amount: 300 }],
    credit_amount: 300,
  });
  objects.credit_note = await stripe.creditNotes.retrieve(creditNote.id);
  objects.credit_note_line_item = creditNote.lines.data[0];
  objects.subscription_schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
  objects.event = (await stripe.events.list({ limit: 1 })).data[0];
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("object shapes against Stripe's fixtures", () => {
  it("the comparison notices a missing key", () => {
    expect(missingKeyPaths({ a: 1, b: { c: [{ d: 1 }] } }, { a: 1, b: { c: [{}] } })).toEqual(["b.c[0].d"]);
  });

  const served = [
    "customer",
    "customer_balance_transaction",
    "product",
    "price",
    "payment_method",
    "subscription",
    "subscription_item",
    "invoice",
    "line_item",
    "invoiceitem",
    "invoice_payment",
    "payment_intent",
    "charge",
    "refund",
    "credit_note",
    "credit_note_line_item",
    "subscription_schedule",
    "event",
    "billing.meter",
    "billing.meter_event",
    "billing.meter_event_summary",
    "test_helpers.test_clock",
    "webhook_endpoint",
  ];
  for (const name of served) {
    it(`${name} has every key of the fixture`, () => {
      // An event's data.object has the shape of its type, checked by that type's own case.
      const fixtureObject = name === "event" ? { ...(fixtures.event as object), data: {} } : fixtures[name];
      expect(fixtureObject, `fixture for ${name}`).toBeDefined();
      const actual = objects[name];
      expect(actual, `emulator object for ${name}`).toBeDefined();
      expect(missingKeyPaths(fixtureObject, actual)).toEqual([]);
    });
  }
});
