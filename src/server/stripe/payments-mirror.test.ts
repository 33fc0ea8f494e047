import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { stripeCharges, stripeInvoicePayments, stripePaymentIntents, stripeRefunds } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { backfillStripe } from "./backfill-stripe";
import { listPayments } from "./list-payments";
import { receiveStripeWebhook } from "./receive-webhook";
import { syncSubscription } from "./sync-subscription";
import { drainInbox, insertCustomer, insertPublishedPlanVersion, mirrorSnapshot, startStripeTestbed, stripeLedgerSnapshot, type StripeTestbed } from "./test-support";
import { upsertStripeCharge } from "./upsert-payment-mirror";

const start = Date.UTC(2026, 3, 1, 9, 0, 0) / 1000;
const day = 86_400;
const secret = "whsec_payments_mirror_test";
let database: TestDatabase;
let testbed: StripeTestbed;
let customerId: string;
let stripeCustomerId: string;
let paidInvoice: Stripe.Invoice;
let duplicate: Stripe.PaymentIntent;
let declinedIntentId: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  testbed = await startStripeTestbed(async () => new Response(null, { status: 503 }), { config: { webhooks: { retryDelaysMs: [], timeoutMs: 2000 } } });
  const { db } = database;
  const { stripe } = testbed;
  const clock = fixedClock(new Date(start * 1000));
  customerId = await insertCustomer(db, "payments");
  const planVersionId = await insertPublishedPlanVersion(db, "payments-team", { trialDays: 7 });
  const subscription = await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 2 });
  const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
  stripeCustomerId = testbed.emulator.state.list("customer")[0]!.id;
  const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
  await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 7 * day + 3601 });
  paidInvoice = (await stripe.invoices.list({ customer: stripeCustomerId, status: "paid", limit: 10 })).data.find((invoice) => invoice.amount_paid > 0)!;
  // "Charged twice": the same amount again, outside the invoice, then refunded as a duplicate.
  duplicate = await stripe.paymentIntents.create({ amount: paidInvoice.amount_paid, currency: "usd", customer: stripeCustomerId, confirm: true, description: "Manual charge" });
  await stripe.refunds.create({ payment_intent: duplicate.id, reason: "duplicate" });
  // A declined attempt.
  testbed.emulator.setCardBehavior(card.id, { outcome: "decline", declineCode: "insufficient_funds" });
  await stripe.paymentIntents.create({ amount: 1_500, currency: "usd", customer: stripeCustomerId, confirm: true }).catch(() => undefined);
  declinedIntentId = (await stripe.paymentIntents.list({ customer: stripeCustomerId, limit: 1 })).data[0]!.id;
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

async function deliverAll(): Promise<void> {
  const events: Stripe.Event[] = [];
  for await (const event of testbed.stripe.events.list({ limit: 100 })) events.push(event);
  for (const event of events.reverse()) {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    await receiveStripeWebhook(database.db, { rawBody: payload, signature, secret, receivedAt: new Date() });
  }
  await drainInbox(database.db, testbed.stripe, systemClock);
}

describe("the payments mirror, from webhooks", () => {
  it("mirrors charges with card and failure reason, refunds and the invoice each payment paid", async () => {
    await deliverAll();
    const { db } = database;
    const failed = await executeRows<{ count: number }>(db, sql`select count(*)::int as count from stripe_webhook_events where status <> 'processed'`);
    expect(failed[0]?.count).toBe(0);

    const { items } = await listPayments(db, { customerId });
    expect(items.map((payment) => payment.status)).toEqual(["failed", "succeeded", "succeeded"]);
    const [declined, manual, invoiced] = items;
    expect(declined).toMatchObject({ paymentIntentId: declinedIntentId, amountMicros: 15_000_000n, cardBrand: "visa", cardLast4: "4242", failureCode: "card_declined", declineCode: "insufficient_funds", failureMessage: "Your card has insufficient funds.", invoice: null });
    expect(manual).toMatchObject({ paymentIntentId: duplicate.id, amountMinor: BigInt(paidInvoice.amount_paid), stripeInvoiceId: null, refunded: true, description: "Manual charge" });
    expect(manual!.refunds).toMatchObject([{ amountMinor: BigInt(paidInvoice.amount_paid), status: "succeeded", reason: "duplicate" }]);
    expect(invoiced).toMatchObject({ stripeInvoiceId: paidInvoice.id, amountMinor: BigInt(paidInvoice.amount_paid), cardBrand: "visa", refunds: [] });

    const [link] = await db.select().from(stripeInvoicePayments).where(eq(stripeInvoicePayments.stripeInvoiceId, paidInvoice.id));
    expect(link).toMatchObject({ status: "paid", customerId, amountPaid: BigInt(paidInvoice.amount_paid) });
    const intents = await db.select().from(stripePaymentIntents).where(eq(stripePaymentIntents.customerId, customerId));
    expect(intents).toHaveLength(3);
    expect(intents.find((intent) => intent.stripeId === declinedIntentId)).toMatchObject({ status: "requires_payment_method", lastErrorDeclineCode: "insufficient_funds" });

    // Cash: the invoice by its paid event, the charge outside any invoice by itself, its refund back.
    const ledger = await stripeLedgerSnapshot(db);
    expect(ledger.keys).toEqual([`stripe:charge:${manual!.chargeId}:paid`, `stripe:invoice:${paidInvoice.id}:paid`, `stripe:refund:${manual!.refunds[0]!.stripeId}`].sort());
    expect(ledger.balances["cash:stripe"]).toBe(String(BigInt(paidInvoice.amount_paid) * 10_000n));
    await expectLedgerConsistent(db);
  });

  it("changes nothing when every event is delivered again", async () => {
    const before = { mirror: await mirrorSnapshot(database.db), ledger: await stripeLedgerSnapshot(database.db) };
    await database.db.execute(sql`delete from stripe_webhook_events`);
    await deliverAll();
    expect({ mirror: await mirrorSnapshot(database.db), ledger: await stripeLedgerSnapshot(database.db) }).toEqual(before);
  });

  it("refuses a write from an event older than the newest one applied", async () => {
    const { db } = database;
    const [row] = await db.select().from(stripeCharges).where(eq(stripeCharges.paymentIntentId, declinedIntentId));
    const charge = await testbed.stripe.charges.retrieve(row!.stripeId);
    const newest = row!.lastEventCreated!;
    await upsertStripeCharge(db, { ...charge, status: "succeeded" }, { customerId, eventCreated: new Date(newest.getTime() - 1000), now: new Date() });
    const [after] = await db.select().from(stripeCharges).where(eq(stripeCharges.stripeId, row!.stripeId));
    expect(after).toMatchObject({ status: "failed", lastEventCreated: newest });
    await upsertStripeCharge(db, { ...charge, description: "newer" }, { customerId, eventCreated: new Date(newest.getTime() + 1000), now: new Date() });
    const [newer] = await db.select().from(stripeCharges).where(eq(stripeCharges.stripeId, row!.stripeId));
    expect(newer).toMatchObject({ description: "newer", lastEventCreated: new Date(newest.getTime() + 1000) });
    await upsertStripeCharge(db, charge, { customerId, eventCreated: new Date(newest.getTime() + 2000), now: new Date() });
  });

  it("pages by (created, id) and filters by invoice and status", async () => {
    const { db } = database;
    const first = await listPayments(db, { customerId, limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await listPayments(db, { customerId, limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect((await listPayments(db, { stripeInvoiceId: paidInvoice.id })).items.map((payment) => payment.stripeInvoiceId)).toEqual([paidInvoice.id]);
    expect((await listPayments(db, { customerId, statuses: ["failed"] })).items).toHaveLength(1);
  });
});

describe("stripe:backfill of payments", () => {
  it("fills the same payment rows from Stripe's lists as the webhooks did", async () => {
    const { db } = database;
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ syncedAt: _synced, lastEventCreated: _last, ...rest }) => rest);
    const read = async () => ({
      intents: strip(await db.select().from(stripePaymentIntents).orderBy(stripePaymentIntents.stripeId)),
      charges: strip(await db.select().from(stripeCharges).orderBy(stripeCharges.stripeId)),
      refunds: strip(await db.select().from(stripeRefunds).orderBy(stripeRefunds.stripeId)),
      links: strip(await db.select().from(stripeInvoicePayments).orderBy(stripeInvoicePayments.stripeId)),
    });
    const fromWebhooks = await read();
    await db.execute(sql`truncate stripe_payment_intents, stripe_charges, stripe_refunds, stripe_invoice_payments, stripe_backfill_cursors`);
    const result = await backfillStripe(db, testbed.stripe, systemClock, { log: () => {} });
    expect(result.charges).toMatchObject({ stored: 3, complete: true });
    expect(result.refunds).toMatchObject({ stored: 1, complete: true });
    expect(await read()).toEqual(fromWebhooks);
  });
});
