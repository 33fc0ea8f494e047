import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { executeRows } from "@/db/execute";
import { stripeInvoices, stripePaymentMethods, stripePayouts, stripeSubscriptions, stripeWebhookEvents, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { replayWebhookEvent } from "./replay-webhook-event";
import { setStripeRuntime } from "./stripe-runtime";
import { syncSubscription } from "./sync-subscription";
import { drainInbox, insertCustomer, insertPublishedPlanVersion, stripeLedgerSnapshot, startStripeTestbed, type StripeTestbed } from "./test-support";

const start = Date.UTC(2026, 0, 15, 12, 0, 0) / 1000;
const day = 86_400;
let database: TestDatabase;
let testbed: StripeTestbed;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(POST);
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

describe("customer → subscription → renewal → invoice → payment, on a test clock", () => {
  it("mirrors Stripe's state and posts each payment to the ledger exactly once", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const clock = fixedClock(new Date(start * 1000));
    const customerId = await insertCustomer(db, "flow");
    const planVersionId = await insertPublishedPlanVersion(db, "flow-team");
    const subscription = await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 3 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "flow" });

    const synced = await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
    expect(synced.action).toBe("created");
    // A retried step must not create a second subscription or customer.
    expect(await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id })).toEqual({ stripeSubscriptionId: synced.stripeSubscriptionId, action: "unchanged" });
    const [linked] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    expect(linked?.stripeSubscriptionId).toBe(synced.stripeSubscriptionId);
    expect(emulator.state.count("customer")).toBe(1);
    expect(emulator.state.count("subscription")).toBe(1);

    // Card collection is Stripe's (Checkout / Elements); the test attaches a test card directly.
    const stripeCustomerId = emulator.state.list("customer")[0]!.id;
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });

    const trialEnd = start + 14 * day;
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: trialEnd + 3601 });
    const renewal = Date.UTC(2026, 1, 28, 12, 0, 0) / 1000;
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: renewal + 3601 });
    await emulator.webhooks.waitForIdle(20_000);

    const stored = await db.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents);
    expect(stored.length).toBeGreaterThan(10);
    await drainInbox(db, stripe, systemClock);
    const statuses = await executeRows<{ status: string; count: string }>(db, sql`select status, count(*)::text as count from stripe_webhook_events group by status`);
    expect(statuses).toEqual([{ status: "processed", count: String(stored.length) }]);

    const [mirrored] = await db.select().from(stripeSubscriptions).where(eq(stripeSubscriptions.stripeId, synced.stripeSubscriptionId!));
    expect(mirrored).toMatchObject({ status: "active", quantity: 3, customerId, subscriptionId: subscription.id });
    const invoices = await db.select().from(stripeInvoices).where(eq(stripeInvoices.customerId, customerId)).orderBy(stripeInvoices.stripeCreated);
    expect(invoices.map((invoice) => [invoice.status, invoice.total, invoice.amountPaid])).toEqual([
      ["paid", 0n, 0n],
      ["paid", 6000n, 6000n],
      ["paid", 6000n, 6000n],
    ]);
    const [method] = await db.select().from(stripePaymentMethods).where(eq(stripePaymentMethods.customerId, customerId));
    expect(method).toMatchObject({ brand: "visa", last4: "4242", detached: false });

    // The trial-end payment was paid out (Stripe's daily payouts) before the renewal's: gross out of cash:stripe, net to the bank.
    const payouts = await db.select().from(stripePayouts);
    expect(payouts.map((payout) => [payout.status, payout.gross, payout.fee, payout.amount, payout.paymentCount])).toEqual([["paid", 6000n, 204n, 5796n, 1]]);
    const ledger = await stripeLedgerSnapshot(db);
    expect(ledger.keys).toEqual([...invoices.filter((invoice) => invoice.amountPaid > 0n).map((invoice) => `stripe:invoice:${invoice.stripeId}:paid`), `stripe:payout:${payouts[0]!.stripeId}`].sort());
    expect(ledger.balances).toEqual({ "cash:bank": "57960000", "cash:stripe": "60000000", "expense:stripe_fees": "2040000", [`customer:${customerId}:receivable`]: "-120000000" });

    // Every event delivered again (an admin replays all of them): nothing changes.
    for (const event of stored) await replayWebhookEvent(db, systemActor("test"), clock, { eventId: event.id, reason: "replay everything" });
    await drainInbox(db, stripe, systemClock);
    expect(await stripeLedgerSnapshot(db)).toEqual(ledger);
    await expectLedgerConsistent(db);
  });

  it("reverses the cash of a refund once, though both refund.created and charge.refunded carry it", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const [paid] = await db.select().from(stripeInvoices).where(eq(stripeInvoices.total, 6000n)).limit(1);
    const payments = await stripe.invoicePayments.list({ invoice: paid!.stripeId });
    const paymentIntent = payments.data[0]!.payment.payment_intent as string;
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1500 });
    await emulator.webhooks.waitForIdle(20_000);
    await drainInbox(db, stripe, systemClock);
    const ledger = await stripeLedgerSnapshot(db);
    expect(ledger.keys).toContain(`stripe:refund:${refund.id}`);
    expect(ledger.balances["cash:stripe"]).toBe("45000000");
    await expectLedgerConsistent(db);
  });
});
