import fc from "fast-check";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardFeeMinor } from "./objects/balance";
import { daySeconds, startWithClient, type EmulatorFixture } from "./test-support";

// 2026-03-02 10:00 UTC: charges made today are available on 03-04 00:00, paid out then, arriving 03-05.
const start = Date.UTC(2026, 2, 2, 10, 0, 0) / 1000;
const midnight = (time: number) => Math.floor(time / daySeconds) * daySeconds;
let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient({ startTime: start });
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

async function payingCustomer(client: Stripe, params: Stripe.CustomerCreateParams): Promise<string> {
  const customer = await client.customers.create(params);
  const card = await client.paymentMethods.attach("pm_card_visa", { customer: customer.id });
  await client.customers.update(customer.id, { invoice_settings: { default_payment_method: card.id } });
  return customer.id;
}

async function charge(customer: string, amount: number): Promise<Stripe.Charge> {
  const intent = await stripe.paymentIntents.create({ amount, currency: "usd", customer, confirm: true });
  return stripe.charges.retrieve(intent.latest_charge as string);
}

async function listAll(params: Stripe.BalanceTransactionListParams): Promise<Stripe.BalanceTransaction[]> {
  const all: Stripe.BalanceTransaction[] = [];
  for await (const transaction of stripe.balanceTransactions.list(params)) all.push(transaction);
  return all;
}

describe("card fee", () => {
  it("is 2.9% + 30 cents, rounded once half away from zero", () => {
    expect(cardFeeMinor(10_000)).toBe(320);
    expect(cardFeeMinor(4_900)).toBe(172); // 142.1 → 142, + 30
    expect(cardFeeMinor(50)).toBe(31); // 1.45 → 1, + 30
    expect(cardFeeMinor(1_724)).toBe(80); // 49.996 → 50, + 30
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), (amount) => {
        const fee = cardFeeMinor(amount);
        // |fee - 30 - amount × 0.029| ≤ 0.5, in integers: |1000 × (fee - 30) - 29 × amount| ≤ 500.
        const error = 1000 * (fee - 30) - 29 * amount;
        return error <= 500 && error >= -500;
      }),
    );
  });
});

describe("balance transactions and automatic payouts", () => {
  it("records a balance transaction per charge and refund, pays them out daily and lists them by payout", async () => {
    const customer = { id: await payingCustomer(stripe, { email: "payouts@example.com" }) };
    const charges = [await charge(customer.id, 10_000), await charge(customer.id, 4_900), await charge(customer.id, 2_500)];
    const refund = await stripe.refunds.create({ charge: charges[1]!.id, amount: 1_000 });
    expect(refund.balance_transaction).toMatch(/^txn_/);

    const first = await stripe.balanceTransactions.retrieve(charges[0]!.balance_transaction as string);
    expect(first).toMatchObject({ object: "balance_transaction", type: "charge", reporting_category: "charge", amount: 10_000, fee: 320, net: 9_680, currency: "usd", source: charges[0]!.id, status: "pending" });
    expect(first.available_on).toBe(midnight(start) + 2 * daySeconds);
    expect(first.fee_details).toEqual([{ amount: 320, application: null, currency: "usd", description: "Stripe processing fees", type: "stripe_fee" }]);
    const refundTransaction = await stripe.balanceTransactions.retrieve(refund.balance_transaction as string);
    expect(refundTransaction).toMatchObject({ type: "refund", amount: -1_000, fee: 0, net: -1_000, source: refund.id });
    const expanded = await stripe.charges.retrieve(charges[0]!.id, { expand: ["balance_transaction"] });
    expect((expanded.balance_transaction as Stripe.BalanceTransaction).net).toBe(9_680);

    expect((await stripe.payouts.list()).data).toEqual([]);
    fixture.emulator.clock.advance(2 * daySeconds);
    const [payout] = (await stripe.payouts.list()).data;
    const gross = 10_000 + 4_900 + 2_500 - 1_000;
    const fees = cardFeeMinor(10_000) + cardFeeMinor(4_900) + cardFeeMinor(2_500);
    expect(payout).toMatchObject({ object: "payout", status: "pending", automatic: true, amount: gross - fees, currency: "usd", created: midnight(start) + 2 * daySeconds, arrival_date: midnight(start) + 3 * daySeconds });

    const inPayout = await listAll({ payout: payout!.id });
    expect(inPayout.map((transaction) => transaction.type).sort()).toEqual(["charge", "charge", "charge", "payout", "refund"]);
    const paidOut = inPayout.filter((transaction) => transaction.type !== "payout");
    expect(paidOut.reduce((sum, transaction) => sum + transaction.amount, 0)).toBe(gross);
    expect(paidOut.reduce((sum, transaction) => sum + transaction.fee, 0)).toBe(fees);
    expect(paidOut.reduce((sum, transaction) => sum + transaction.net, 0)).toBe(payout!.amount);
    expect(inPayout.find((transaction) => transaction.type === "payout")).toMatchObject({ amount: -payout!.amount, source: payout!.id });
    expect(paidOut.every((transaction) => transaction.status === "available")).toBe(true);

    fixture.emulator.clock.advance(daySeconds);
    expect(await stripe.payouts.retrieve(payout!.id)).toMatchObject({ status: "paid" });
    const events = fixture.emulator.state.list("event").filter((event) => (event.data.object as { id: string }).id === payout!.id);
    expect(events.map((event) => [event.type, event.created])).toEqual([
      ["payout.created", payout!.created],
      ["payout.paid", payout!.arrival_date],
    ]);
    // A later day's charge goes in a later payout.
    await charge(customer.id, 700);
    fixture.emulator.clock.advance(3 * daySeconds);
    const payouts = (await stripe.payouts.list({ status: "paid" })).data;
    expect(payouts).toHaveLength(2);
    expect(payouts[0]!.amount).toBe(700 - cardFeeMinor(700));
    expect((await listAll({ payout: payouts[0]!.id })).filter((transaction) => transaction.type === "charge")).toHaveLength(1);
  });

  it("pages balance transactions newest first with starting_after and ending_before, and filters them", async () => {
    const customer = { id: await payingCustomer(stripe, { email: "pages@example.com" }) };
    for (let index = 0; index < 7; index++) await charge(customer.id, 1_000 + index);
    fixture.emulator.clock.advance(2 * daySeconds);
    const [payout] = (await stripe.payouts.list({ limit: 1 })).data;
    const firstPage = await stripe.balanceTransactions.list({ payout: payout!.id, limit: 3 });
    expect(firstPage).toMatchObject({ object: "list", has_more: true, url: "/v1/balance_transactions" });
    expect(firstPage.data).toHaveLength(3);
    const all = await listAll({ payout: payout!.id, limit: 3 });
    expect(all).toHaveLength(8);
    expect(new Set(all.map((transaction) => transaction.id)).size).toBe(8);
    expect(all.slice(0, 3).map((transaction) => transaction.id)).toEqual(firstPage.data.map((transaction) => transaction.id));
    const back = await stripe.balanceTransactions.list({ payout: payout!.id, limit: 2, ending_before: all[4]!.id });
    expect(back.data.map((transaction) => transaction.id)).toEqual([all[2]!.id, all[3]!.id]);
    expect((await stripe.balanceTransactions.list({ payout: payout!.id, type: "charge", limit: 100 })).data).toHaveLength(7);
    const source = all.find((transaction) => transaction.type === "charge")!.source as string;
    expect((await stripe.balanceTransactions.list({ source })).data).toHaveLength(1);
    await expect(stripe.balanceTransactions.list({ payout: "po_missing" })).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
    await expect(stripe.payouts.retrieve("po_missing")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("pays out a test clock's charges on that clock, and waits while refunds exceed charges", async () => {
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = { id: await payingCustomer(stripe, { email: "clock@example.com", test_clock: testClock.id }) };
    const paid = await charge(customer.id, 2_000);
    await stripe.refunds.create({ charge: paid.id });
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 3 * daySeconds });
    const ofClock = (await stripe.payouts.list({ limit: 100 })).data.filter((payout) => payout.created >= start && fixture.emulator.engine.payoutClocks.get(payout.id) === testClock.id);
    // 2,000 − 2,000 refunded − 88 fee: a negative net is not paid out.
    expect(ofClock).toEqual([]);
    await charge(customer.id, 5_000);
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 6 * daySeconds });
    const [payout] = (await stripe.payouts.list({ limit: 100 })).data.filter((each) => fixture.emulator.engine.payoutClocks.get(each.id) === testClock.id);
    expect(payout).toMatchObject({ status: "paid", amount: 5_000 - cardFeeMinor(5_000) - cardFeeMinor(2_000) });
    expect(payout!.created).toBe(midnight(start) + 5 * daySeconds);
  });

  it("makes no payout on a manual schedule", async () => {
    const manual = await startWithClient({ startTime: start, config: { payouts: { schedule: "manual" } } });
    try {
      const customer = await payingCustomer(manual.stripe, { email: "manual@example.com" });
      await manual.stripe.paymentIntents.create({ amount: 3_000, currency: "usd", customer, confirm: true });
      manual.emulator.clock.advance(10 * daySeconds);
      expect((await manual.stripe.payouts.list()).data).toEqual([]);
      expect((await manual.stripe.balanceTransactions.list()).data).toHaveLength(1);
    } finally {
      await manual.emulator.close();
    }
  });
});
