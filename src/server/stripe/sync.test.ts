import { InngestTestEngine } from "@inngest/test";
import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeSyncCustomerFunction } from "~/inngest/functions/stripe-sync-customer";
import { auditLog, customers, stripeSyncFailures, stripeWebhookEvents, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { processWebhookEvents } from "./process-webhook-events";
import { receiveStripeWebhook } from "./receive-webhook";
import { replayWebhookEvent } from "./replay-webhook-event";
import { stripePermanentErrorCode } from "./stripe-write";
import { syncCustomer } from "./sync-customer";
import { syncSubscription } from "./sync-subscription";
import { insertCustomer, insertPublishedPlanVersion, startStripeTestbed, stripeLedgerSnapshot, type StripeTestbed } from "./test-support";

let database: TestDatabase;
let testbed: StripeTestbed;
const clock = fixedClock(new Date());

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  // No SDK retries: every retry below is Tally's own (as an Inngest step retry would be).
  testbed = await startStripeTestbed(async () => new Response(null, { status: 503 }), { config: { webhooks: { retryDelaysMs: [], timeoutMs: 2000 } } }, { maxNetworkRetries: 0 });
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

let transientFailures = 0;

/** An Inngest-like retry: transient errors are retried (bounded), a DomainError stops. */
async function withRetries<T>(run: () => Promise<T>, attemptsMax = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (isDomainError(error) || attempt >= attemptsMax) throw error;
      transientFailures += 1;
    }
  }
}

describe("outbound sync under injected faults", () => {
  it("creates exactly one Stripe customer and subscription per Tally subscription with 10% 500/429 answers", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const planVersionId = await insertPublishedPlanVersion(db, "faults-team", { trialDays: 14 });
    const ids: string[] = [];
    for (let index = 0; index < 12; index++) {
      const customerId = await insertCustomer(db, `faults-${index}`);
      ids.push((await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 1 + index })).id);
    }
    emulator.setFaults({ serverErrorRate: 0.05, rateLimitRate: 0.05, serverErrorAfterExecutionShare: 0.5 });
    // Every subscription synced twice (a retried job after success), concurrently in pairs.
    await Promise.all(ids.flatMap((subscriptionId) => [0, 1].map(() => withRetries(() => syncSubscription(db, stripe, clock, { subscriptionId })))));
    // Seats change for half of them; the change is synced through the same faults.
    for (const subscriptionId of ids.slice(0, 6)) {
      await db.update(subscriptions).set({ seats: 50, updatedAt: new Date() }).where(eq(subscriptions.id, subscriptionId));
      await withRetries(() => syncSubscription(db, stripe, clock, { subscriptionId }));
    }
    emulator.setFaults({ serverErrorRate: 0, rateLimitRate: 0 });
    expect(transientFailures).toBeGreaterThan(3);

    const stripeSubscriptions = emulator.state.list("subscription");
    const stripeCustomers = emulator.state.list("customer");
    expect(stripeCustomers).toHaveLength(12);
    expect(new Set(stripeCustomers.map((customer) => customer.metadata.tally_customer_id)).size).toBe(12);
    expect(stripeSubscriptions).toHaveLength(12);
    expect(emulator.state.count("price")).toBe(1);
    expect(emulator.state.count("product")).toBe(1);
    const rows = await db.select().from(subscriptions).where(sql`${subscriptions.id} in ${ids}`);
    for (const row of rows) {
      const inStripe = stripeSubscriptions.find((candidate) => candidate.id === row.stripeSubscriptionId);
      expect(inStripe?.items.data[0]?.quantity, row.id).toBe(row.seats);
      expect(inStripe?.metadata.tally_subscription_id).toBe(row.id);
    }
  });

  it("cancels at period end, resumes, and cancels now, each once", async () => {
    const { db } = database;
    const { stripe } = testbed;
    const planVersionId = await insertPublishedPlanVersion(db, "cancel-team", { trialDays: 0 });
    const customerId = await insertCustomer(db, "cancel");
    const subscription = await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 2 });
    const { stripeSubscriptionId } = await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id });
    const set = async (patch: Partial<typeof subscriptions.$inferInsert>) => {
      await db.update(subscriptions).set(patch).where(eq(subscriptions.id, subscription.id));
      return syncSubscription(db, stripe, clock, { subscriptionId: subscription.id });
    };
    expect((await set({ cancelAtPeriodEnd: true })).action).toBe("updated");
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).cancel_at_period_end).toBe(true);
    expect((await set({ cancelAtPeriodEnd: false })).action).toBe("updated");
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).cancel_at_period_end).toBe(false);
    expect((await set({ status: "canceled", canceledAt: clock.now() })).action).toBe("canceled");
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).status).toBe("canceled");
    expect((await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id })).action).toBe("unchanged");
  });
});

describe("a permanent Stripe error", () => {
  it("is recorded once and stops the Inngest function without a retry or a Stripe object", async () => {
    const { db } = database;
    const customerId = await insertCustomer(db, "permanent");
    await db.update(customers).set({ email: `${"x".repeat(600)}@example.com` }).where(eq(customers.id, customerId));
    const before = testbed.emulator.state.count("customer");
    const engine = new InngestTestEngine({
      function: createStripeSyncCustomerFunction(async () => ({ db, clock, stripe: testbed.stripe })),
      events: [{ name: "stripe/customer.sync", data: { customerId } }],
    });
    const { error } = await engine.execute();
    expect(String((error as Error | undefined)?.message ?? error)).toContain(stripePermanentErrorCode);
    const failures = await db.select().from(stripeSyncFailures).where(eq(stripeSyncFailures.objectId, customerId));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ operation: "customer.create", httpStatus: 400, idempotencyKey: `tally:customer:${customerId}:create` });
    expect(testbed.emulator.state.count("customer")).toBe(before);
    await expect(syncCustomer(db, testbed.stripe, clock, { customerId })).rejects.toMatchObject({ code: stripePermanentErrorCode });
  });
});

describe("a parked webhook event", () => {
  it("parks after the attempt budget, and an admin's audited replay posts the payment once", async () => {
    const { db } = database;
    const { stripe } = testbed;
    const secret = "whsec_sync_test";
    // A customer made in Stripe's dashboard: no link to Tally yet.
    const stranger = await stripe.customers.create({ email: "stranger@example.com" });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stranger.id });
    await stripe.customers.update(stranger.id, { invoice_settings: { default_payment_method: card.id } });
    await stripe.invoiceItems.create({ customer: stranger.id, amount: 4200, currency: "usd", description: "Setup" });
    const draft = await stripe.invoices.create({ customer: stranger.id, pending_invoice_items_behavior: "include" });
    const paid = await stripe.invoices.pay(draft.id);
    expect(paid.status).toBe("paid");
    const events = await stripe.events.list({ type: "invoice.paid", limit: 100 });
    const event = events.data.find((candidate) => (candidate.data.object as Stripe.Invoice).id === paid.id)!;
    const payload = JSON.stringify(event);
    const signature = testbed.stripe.webhooks.generateTestHeaderString({ payload, secret });
    await receiveStripeWebhook(db, { rawBody: payload, signature, secret, receivedAt: new Date() });

    const processing = fixedClock(new Date(Date.now() + 1000));
    for (let attempt = 0; attempt < 3; attempt++) {
      await processWebhookEvents(db, { stripe, clock: processing, eventIds: [event.id], attemptsMax: 3 });
      processing.advanceMs(3_600_000);
    }
    const [parked] = await db.select().from(stripeWebhookEvents).where(eq(stripeWebhookEvents.id, event.id));
    expect(parked).toMatchObject({ status: "parked", attempts: 3 });
    expect(parked?.lastError).toContain("stripe_customer_unlinked");
    expect((await stripeLedgerSnapshot(db)).keys).not.toContain(`stripe:invoice:${paid.id}:paid`);

    // Someone links the Stripe customer to a Tally customer, then an admin replays the event.
    const customerId = await insertCustomer(db, "stranger");
    await stripe.customers.update(stranger.id, { metadata: { tally_customer_id: customerId } });
    const admin = { type: "user" as const, id: "admin-1", label: "admin@tally.test" };
    await replayWebhookEvent(db, admin, processing, { eventId: event.id, reason: "customer linked" });
    await expect(replayWebhookEvent(db, admin, processing, { eventId: event.id, reason: "twice" })).rejects.toMatchObject({ code: "stripe_event_already_pending" });
    const result = await processWebhookEvents(db, { stripe, clock: processing, eventIds: [event.id] });
    expect(result.events).toMatchObject([{ eventId: event.id, status: "processed" }]);
    const ledger = await stripeLedgerSnapshot(db);
    expect(ledger.keys.filter((key) => key === `stripe:invoice:${paid.id}:paid`)).toHaveLength(1);
    expect(ledger.balances[`customer:${customerId}:receivable`]).toBe("-42000000");
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "stripe.webhook_event.replay"), eq(auditLog.objectId, event.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: "admin-1", reason: "customer linked" });
  });
});
