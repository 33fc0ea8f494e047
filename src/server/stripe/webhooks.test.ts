import { count, sql } from "drizzle-orm";
import fc from "fast-check";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import type { Db } from "@/db/client";
import { stripeWebhookEvents } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { processWebhookEvents } from "./process-webhook-events";
import { receiveStripeWebhook } from "./receive-webhook";
import { setStripeRuntime } from "./stripe-runtime";
import { syncSubscription } from "./sync-subscription";
import { drainInbox, insertCustomer, insertPublishedPlanVersion, mirrorSnapshot, startStripeTestbed, stripeLedgerSnapshot, type StripeTestbed } from "./test-support";

const start = Date.UTC(2026, 2, 1, 9, 0, 0) / 1000;
const day = 86_400;
let database: TestDatabase;
let testbed: StripeTestbed;
/** The events of one customer's trial → renewal → payment → refund history, in Stripe's order. */
let recorded: Stripe.Event[] = [];
const secret = "whsec_webhooks_test_secret";

/** Refused so the emulator's own deliveries do not reach the inbox: these tests deliver by hand. */
const refuseDeliveries = async (): Promise<Response> => new Response(null, { status: 503 });

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(refuseDeliveries, { config: { webhooks: { retryDelaysMs: [], timeoutMs: 2000 } } });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: secret });
  recorded = await recordHistory(database.db, testbed.stripe);
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

async function recordHistory(db: Db, stripe: Stripe): Promise<Stripe.Event[]> {
  const clock = fixedClock(new Date(start * 1000));
  const customerId = await insertCustomer(db, "webhooks");
  const planVersionId = await insertPublishedPlanVersion(db, "webhooks-team", { trialDays: 7 });
  const subscription = await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 2 });
  const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
  await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
  const stripeCustomerId = testbed.emulator.state.list("customer")[0]!.id;
  const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
  await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 7 * day + 3601 });
  const paid = (await stripe.invoices.list({ customer: stripeCustomerId, status: "paid", limit: 10 })).data.find((invoice) => invoice.amount_paid > 0)!;
  const payment = (await stripe.invoicePayments.list({ invoice: paid.id })).data[0]!;
  await stripe.refunds.create({ payment_intent: payment.payment.payment_intent as string, amount: 500 });
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) {
    events.push(event);
    if (events.length >= 1000) break;
  }
  return events.reverse();
}

function signed(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? secret, timestamp: options.timestamp });
}

function post(body: string, signature: string | null): Promise<Response> {
  return POST(new Request("http://tally.test/api/webhooks/stripe", { method: "POST", body, headers: { "content-type": "application/json", ...(signature === null ? {} : { "stripe-signature": signature }) } }));
}

async function inboxCount(): Promise<number> {
  const [row] = await database.db.select({ total: count() }).from(stripeWebhookEvents);
  return row?.total ?? 0;
}

/** Runs `body` in a transaction that is always rolled back, so each property run starts clean. */
async function isolated<T>(run: (tx: Db) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await database.db
    .transaction(async (tx) => {
      result = await run(tx);
      throw new RollbackSignal();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollbackSignal)) throw error;
    });
  return result as T;
}
class RollbackSignal extends Error {}

describe("POST /api/webhooks/stripe", () => {
  it("refuses a bad secret, a tampered body, an old timestamp and a missing header with 400, storing nothing", async () => {
    const body = JSON.stringify(recorded[0]);
    const cases: [string, Promise<Response>][] = [
      ["stripe_signature_invalid", post(body, signed(body, { secret: "whsec_someone_else" }))],
      ["stripe_signature_invalid", post(body.replace(recorded[0]!.id, "evt_forged"), signed(body))],
      ["stripe_signature_too_old", post(body, signed(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }))],
      ["stripe_signature_missing", post(body, null)],
    ];
    for (const [code, response] of cases) {
      const answered = await response;
      expect(answered.status, code).toBe(400);
      expect(((await answered.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await inboxCount()).toBe(0);
  });

  it("stores a signed event once and acknowledges its duplicate", async () => {
    const event = recorded[0]!;
    const body = JSON.stringify(event);
    const first = await post(body, signed(body));
    const again = await post(body, signed(body));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toEqual({ received: true, id: event.id, status: "duplicate" });
    const rows = await database.db.select().from(stripeWebhookEvents);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: event.id, type: event.type, status: "pending", attempts: 0 });
    await database.db.execute(sql`delete from stripe_webhook_events`);
  });
});

describe("delivery order", () => {
  /** Delivers `order` (indexes into recorded, repeats allowed), processing the inbox after the given positions. */
  async function deliver(tx: Db, order: number[], processAfter: Set<number>) {
    for (const [position, index] of order.entries()) {
      const payload = JSON.stringify(recorded[index]);
      await receiveStripeWebhook(tx, { rawBody: payload, signature: signed(payload), secret, receivedAt: new Date() });
      if (processAfter.has(position)) await processWebhookEvents(tx, { stripe: testbed.stripe, clock: systemClock, limit: 100 });
    }
    await drainInbox(tx, testbed.stripe, systemClock);
    return { mirror: await mirrorSnapshot(tx), ledger: await stripeLedgerSnapshot(tx) };
  }

  it("gives the same mirror and ledger for duplicated, reordered and delayed deliveries as for a clean one", async () => {
    expect(recorded.length).toBeGreaterThan(15);
    const types = new Set(recorded.map((event) => event.type));
    expect(types).toContain("invoice.paid");
    expect(types).toContain("refund.created");
    const indexes = recorded.map((_, index) => index);
    const clean = await isolated((tx) => deliver(tx, indexes, new Set()));
    expect(clean.ledger.keys.filter((key) => key.startsWith("stripe:invoice:"))).toHaveLength(1);
    expect(clean.ledger.keys.filter((key) => key.startsWith("stripe:refund:"))).toHaveLength(1);
    expect(clean.mirror.stripe_invoices!.length).toBeGreaterThanOrEqual(2);

    const deliveries = fc
      .tuple(fc.shuffledSubarray(indexes, { minLength: indexes.length, maxLength: indexes.length }), fc.array(fc.nat(indexes.length - 1), { maxLength: 15 }), fc.array(fc.nat(60), { maxLength: 5 }))
      .map(([shuffled, duplicates, processPoints]) => ({ order: [...shuffled, ...duplicates], processAfter: new Set(processPoints) }));
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ order, processAfter }) => {
        const outcome = await isolated((tx) => deliver(tx, order, processAfter));
        expect(outcome).toEqual(clean);
      }),
      { numRuns: 12 },
    );
  });
});
