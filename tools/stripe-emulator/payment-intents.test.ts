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

async function customerWithCard(token = "pm_card_visa") {
  const customer = await stripe.customers.create({ email: "pi@example.com" });
  const card = await stripe.paymentMethods.attach(token, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
  return { customer, card };
}

function eventTypesFor(objectIds: string[]): string[] {
  return fixture.emulator.state
    .list("event")
    .filter((event) => objectIds.includes((event.data.object as { id: string }).id))
    .sort((a, b) => a.created - b.created)
    .map((event) => event.type);
}

describe("payment intents made through the API", () => {
  it("charges at once with confirm=true and sends Stripe's events", async () => {
    const { customer, card } = await customerWithCard();
    const intent = await stripe.paymentIntents.create({
      amount: 4_900,
      currency: "usd",
      customer: customer.id,
      payment_method: card.id,
      confirm: true,
      off_session: true,
      description: "Manual charge",
      metadata: { reason: "support" },
    });
    expect(intent).toMatchObject({ status: "succeeded", amount: 4_900, amount_received: 4_900, customer: customer.id, payment_method: card.id, metadata: { reason: "support" } });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ status: "succeeded", paid: true, captured: true, amount_captured: 4_900, payment_intent: intent.id, customer: customer.id });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: "visa", last4: "4242" });
    expect(eventTypesFor([intent.id, charge.id])).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    // Made outside an invoice: no invoice payment names it.
    expect((await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: intent.id } })).data).toEqual([]);
  });

  it("fails with a 402 card error, a failed charge and last_payment_error when the card declines", async () => {
    const { customer, card } = await customerWithCard();
    fixture.emulator.setCardBehavior(card.id, { outcome: "decline", declineCode: "insufficient_funds" });
    const error = await stripe.paymentIntents.create({ amount: 1_000, currency: "usd", customer: customer.id, payment_method: card.id, confirm: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "insufficient_funds" });
    const [intent] = (await stripe.paymentIntents.list({ customer: customer.id })).data;
    expect(intent).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "card_declined", decline_code: "insufficient_funds" } });
    const charge = await stripe.charges.retrieve(intent!.latest_charge as string);
    expect(charge).toMatchObject({ status: "failed", paid: false, failure_code: "card_declined", failure_message: "Your card has insufficient funds.", outcome: { reason: "insufficient_funds" } });
    expect(eventTypesFor([intent!.id, charge.id])).toEqual(["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]);

    // A retry with a working card succeeds on the same intent, with a second charge.
    fixture.emulator.setCardBehavior(card.id, { outcome: "succeed" });
    const retried = await stripe.paymentIntents.confirm(intent!.id);
    expect(retried.status).toBe("succeeded");
    expect(retried.latest_charge).not.toBe(charge.id);
    expect((await stripe.charges.list({ payment_intent: intent!.id })).data).toHaveLength(2);
  });

  it("refuses to confirm a succeeded intent, cancels an unconfirmed one, and validates input", async () => {
    const { customer, card } = await customerWithCard();
    const done = await stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id, confirm: true });
    await expect(stripe.paymentIntents.confirm(done.id)).rejects.toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
    const pending = await stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id, payment_method: card.id });
    expect(pending.status).toBe("requires_confirmation");
    const canceled = await stripe.paymentIntents.cancel(pending.id, { cancellation_reason: "duplicate" });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "duplicate" });
    expect(canceled.canceled_at).toBeGreaterThan(0);
    await expect(stripe.paymentIntents.cancel(done.id)).rejects.toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
    await expect(stripe.paymentIntents.create({ amount: 0, currency: "usd" })).rejects.toMatchObject({ statusCode: 400, param: "amount" });
    await expect(stripe.paymentIntents.create({ amount: 100, currency: "usd", customer: "cus_missing" })).rejects.toMatchObject({ statusCode: 404 });
  });

  it("refunds by payment intent and lists refunds by payment intent", async () => {
    const { customer } = await customerWithCard("pm_card_mastercard");
    const intent = await stripe.paymentIntents.create({ amount: 2_500, currency: "usd", customer: customer.id, confirm: true });
    const refund = await stripe.refunds.create({ payment_intent: intent.id, reason: "duplicate" });
    expect(refund).toMatchObject({ amount: 2_500, status: "succeeded", reason: "duplicate", payment_intent: intent.id });
    expect((await stripe.refunds.list({ payment_intent: intent.id })).data.map((each) => each.id)).toEqual([refund.id]);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ refunded: true, amount_refunded: 2_500 });
  });
});

describe("invoice payments", () => {
  it("are found by the payment intent that paid the invoice", async () => {
    const { customer } = await customerWithCard();
    await stripe.invoiceItems.create({ customer: customer.id, amount: 1_234, currency: "usd" });
    const invoice = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid.status).toBe("paid");
    const [payment] = (await stripe.invoicePayments.list({ invoice: invoice.id })).data;
    const intentId = payment!.payment.payment_intent as string;
    const byIntent = await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: intentId }, status: "paid" });
    expect(byIntent.data.map((each) => each.invoice)).toEqual([invoice.id]);
    expect((await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: intentId }, status: "open" })).data).toEqual([]);
  });
});
