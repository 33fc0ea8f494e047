import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { stripeBalanceTransactions, stripePayouts, stripeWebhookEvents } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { runReport } from "@/server/reports/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { applyStripeEvent, type StoredStripeEvent } from "./apply-stripe-event";
import { backfillStripe } from "./backfill-stripe";
import { receiveStripeWebhook } from "./receive-webhook";
import { syncSubscription } from "./sync-subscription";
import { drainInbox, insertCustomer, insertPublishedPlanVersion, startStripeTestbed, stripeLedgerSnapshot, type StripeTestbed } from "./test-support";

const start = Date.UTC(2026, 3, 1, 9, 0, 0) / 1000;
const day = 86_400;
const secret = "whsec_payouts_test";
/** Stripe's US card fee the emulator charges: 2.9% + 30 cents, rounded half away from zero. */
const cardFee = (amount: number) => Math.floor((amount * 29 + 500) / 1000) + 30;
let database: TestDatabase;
let testbed: StripeTestbed;
let paidInvoice: Stripe.Invoice;
let manualCharge: Stripe.Charge;
let refundedMinor: number;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 8 });
  testbed = await startStripeTestbed(async () => new Response(null, { status: 503 }), { config: { webhooks: { retryDelaysMs: [], timeoutMs: 2000 } } });
  const { db } = database;
  const { stripe } = testbed;
  const clock = fixedClock(new Date(start * 1000));
  const customerId = await insertCustomer(db, "payouts");
  const planVersionId = await insertPublishedPlanVersion(db, "payouts-team", { trialDays: 7 });
  const subscription = await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 3 });
  const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
  const stripeCustomerId = testbed.emulator.state.list("customer")[0]!.id;
  const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
  // The trial ends on day 7: the first invoice is paid then.
  await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 7 * day + 3601 });
  paidInvoice = (await stripe.invoices.list({ customer: stripeCustomerId, status: "paid", limit: 10 })).data.find((invoice) => invoice.amount_paid > 0)!;
  const intent = await stripe.paymentIntents.create({ amount: 4_900, currency: "usd", customer: stripeCustomerId, confirm: true, description: "Manual charge" });
  manualCharge = await stripe.charges.retrieve(intent.latest_charge as string);
  refundedMinor = 1_500;
  await stripe.refunds.create({ charge: manualCharge.id, amount: refundedMinor });
  // Available two days later at midnight, paid out then, arriving the next day.
  await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 11 * day });
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

async function stripeEvents(): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const event of testbed.stripe.events.list({ limit: 100 })) events.push(event);
  return events.reverse();
}

async function deliver(events: Stripe.Event[]): Promise<void> {
  for (const event of events) {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    await receiveStripeWebhook(database.db, { rawBody: payload, signature, secret, receivedAt: new Date() });
  }
  await drainInbox(database.db, testbed.stripe, systemClock);
}

const stored = (event: Stripe.Event): StoredStripeEvent => ({ id: event.id, type: event.type, created: new Date(event.created * 1000), payload: JSON.parse(JSON.stringify(event)) as Record<string, unknown> });

describe("payouts from webhooks", () => {
  it("posts a paid payout once under concurrent replays of its events: gross out of cash:stripe, net to the bank, fees expensed", async () => {
    const { db } = database;
    const events = await stripeEvents();
    const payoutEvents = events.filter((event) => event.type.startsWith("payout."));
    expect(payoutEvents.map((event) => event.type)).toEqual(["payout.created", "payout.paid"]);
    await deliver(events.filter((event) => !event.type.startsWith("payout.")));
    const before = await stripeLedgerSnapshot(db);
    expect(before.balances["cash:stripe"]).toBe(String(BigInt(paidInvoice.amount_paid + 4_900 - refundedMinor) * 10_000n));

    // Both payout events, each applied eight times at once (webhook duplicates, a replay, two workers).
    const outcomes = await Promise.all(payoutEvents.flatMap((event) => Array.from({ length: 8 }, () => db.transaction((tx) => applyStripeEvent(tx, testbed.stripe, systemClock, stored(event))))));
    expect(outcomes.every((outcome) => outcome.outcome === "applied")).toBe(true);

    const [payout] = await db.select().from(stripePayouts);
    const gross = paidInvoice.amount_paid + 4_900 - refundedMinor;
    const fees = cardFee(paidInvoice.amount_paid) + cardFee(4_900);
    expect(payout).toMatchObject({ status: "paid", currency: "usd", amount: BigInt(gross - fees), gross: BigInt(gross), fee: BigInt(fees), paymentCount: 2, refundCount: 1, automatic: true });
    expect(payout!.arrivalDate.toISOString()).toBe("2026-04-11T00:00:00.000Z");
    const transactions = await db.select().from(stripeBalanceTransactions).where(eq(stripeBalanceTransactions.payoutId, payout!.stripeId));
    expect(transactions.map((transaction) => transaction.type).sort()).toEqual(["charge", "charge", "refund"]);
    expect(transactions.find((transaction) => transaction.sourceId === manualCharge.id)).toMatchObject({ amount: 4_900n, fee: BigInt(cardFee(4_900)), net: BigInt(4_900 - cardFee(4_900)) });

    const after = await stripeLedgerSnapshot(db);
    expect(after.keys.filter((key) => key.startsWith("stripe:payout:"))).toEqual([`stripe:payout:${payout!.stripeId}`]);
    expect(after.balances["cash:stripe"]).toBe("0");
    expect(after.balances["cash:bank"]).toBe(String(BigInt(gross - fees) * 10_000n));
    expect(after.balances["expense:stripe_fees"]).toBe(String(BigInt(fees) * 10_000n));
    const [posting] = await executeRows<{ effective_at: Date; kind: string }>(db, sql`select effective_at, kind from ledger_transactions where idempotency_key = ${`stripe:payout:${payout!.stripeId}`}`);
    expect(posting).toMatchObject({ kind: "payout" });
    expect(new Date(posting!.effective_at).toISOString()).toBe("2026-04-11T00:00:00.000Z");
    await expectLedgerConsistent(db);
  });

  it("posts nothing new when every event is delivered again", async () => {
    const { db } = database;
    const before = await stripeLedgerSnapshot(db);
    const mirror = await db.select().from(stripePayouts);
    await db.delete(stripeWebhookEvents).where(sql`true`);
    await deliver(await stripeEvents());
    expect(await stripeLedgerSnapshot(db)).toEqual(before);
    expect((await db.select().from(stripePayouts)).map(({ syncedAt: _synced, ...rest }) => rest)).toEqual(mirror.map(({ syncedAt: _synced, ...rest }) => rest));
  });

  it("the backfill fills the same payout rows from Stripe's lists, and posts nothing", async () => {
    const { db } = database;
    const read = async () => ({
      payouts: (await db.select().from(stripePayouts)).map(({ syncedAt: _synced, lastEventCreated: _last, ...rest }) => rest),
      transactions: (await db.select().from(stripeBalanceTransactions).orderBy(stripeBalanceTransactions.stripeId)).map(({ syncedAt: _synced, ...rest }) => rest),
    });
    const fromWebhooks = await read();
    const ledger = await stripeLedgerSnapshot(db);
    await db.delete(stripeBalanceTransactions).where(sql`true`);
    await db.delete(stripePayouts).where(sql`true`);
    const result = await backfillStripe(db, testbed.stripe, systemClock, { log: () => {}, restart: true, pageSize: 1 });
    expect(result.payouts).toEqual({ stored: 1, pages: 1, complete: true });
    expect(await read()).toEqual(fromWebhooks);
    expect(await stripeLedgerSnapshot(db)).toEqual(ledger);
  });

  it("shows in the Cash report: per payout, and by day with the fees and what reached the bank, reconciled", async () => {
    const { db } = database;
    const gross = BigInt(paidInvoice.amount_paid + 4_900 - refundedMinor) * 10_000n;
    const fees = BigInt(cardFee(paidInvoice.amount_paid) + cardFee(4_900)) * 10_000n;
    const [payout] = await db.select().from(stripePayouts);
    const byPayout = await runReport(db, "cash", { from: "2026-04-01", to: "2026-04-30", granularity: "payout" });
    expect(byPayout.rows.map((row) => row.cells)).toEqual([
      { payout: payout!.stripeId, arrival: "2026-04-11", status: "Paid", currency: "usd", gross, fees, net: gross - fees, payments: 2, refunds: 1 },
      { payout: "Total USD (1 paid)", arrival: null, status: null, currency: "usd", gross, fees, net: gross - fees, payments: 2, refunds: 1 },
    ]);
    for (const line of byPayout.reconciliation) expect(line.report).toBe(line.ledger);
    expect(byPayout.reconciliation).toHaveLength(2);

    const byDay = await runReport(db, "cash", { from: "2026-04-01", to: "2026-04-30", granularity: "day" });
    const arrivalDay = byDay.rows.find((row) => row.cells.period === "2026-04-11");
    expect(arrivalDay?.cells).toMatchObject({ payments: 0n, refunds: 0n, fees, paidOut: gross - fees, net: -fees });
    const total = byDay.rows.find((row) => row.subtotal);
    expect(total?.cells).toMatchObject({ payments: gross + BigInt(refundedMinor) * 10_000n, refunds: BigInt(refundedMinor) * 10_000n, fees, net: gross - fees, count: 2 });
    for (const line of byDay.reconciliation) expect(line.report).toBe(line.ledger);
  });
});
