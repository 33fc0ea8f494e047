import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookPost } from "@/app/api/webhooks/stripe/route";
import { invoiceDiscrepancies, invoiceLines, invoices, planVersions, plans, stripeInvoiceChecks, stripeWebhookEvents } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { createOpeningInvoice } from "@/server/invoicing/create-opening-invoice";
import { accountNet } from "@/server/invoicing/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { replayWebhookEvent } from "@/server/stripe/replay-webhook-event";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncCustomer } from "@/server/stripe/sync-customer";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { drainInbox, insertCustomer, stripeLedgerSnapshot, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { followStripeInvoiceStatus } from "./follow-invoice-status";
import { linkOpeningInvoice } from "./link-invoice";

const actor = systemActor("opening-invoice-test");
const start = Date.UTC(2026, 2, 10, 12, 0, 0) / 1000;
let database: TestDatabase;
let testbed: StripeTestbed;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(webhookPost, { seed: 11 });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
}, 120_000);
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

async function proVersionId(): Promise<string> {
  const [pro] = await database.db
    .select({ id: planVersions.id, fee: planVersions.baseFeePerSeatMicros })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(plans.key, "pro"), eq(planVersions.version, 1)));
  expect(pro!.fee).toBeGreaterThan(0n);
  return pro!.id;
}

describe("a subscription without trial: Tally's opening invoice is Stripe's first invoice", () => {
  it("creates it once with the subscription, links it to subscription_create, compares, follows it to paid, receivable zero", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const clock = fixedClock(new Date(start * 1000));
    await seedCatalog(db, { clock });
    const planVersionId = await proVersionId();
    const customerId = await insertCustomer(db, "opening");
    const subscription = await createSubscription(db, actor, clock, { customerId, planVersionId, seats: 3, trialDays: 0 });

    // Created in the subscription's transaction: seats × fee for period 0, posted to the receivable in whole cents.
    const opening = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.kind, "opening")));
    expect(opening).toHaveLength(1);
    const invoice = opening[0]!;
    const [version] = await db.select().from(planVersions).where(eq(planVersions.id, planVersionId));
    expect(invoice.totalMicros).toBe(version!.baseFeePerSeatMicros * 3n);
    expect(invoice).toMatchObject({ status: "finalized", periodStart: new Date(start * 1000), sequence: 1 });
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id));
    expect(lines.map((line) => [line.kind, line.quantity, line.amountMicros])).toEqual([["base_fee", "3", invoice.totalMicros]]);
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(invoice.totalCents * 10_000n);
    expect(await accountNet(db, "revenue:subscription:pro")).toBe(-invoice.totalMicros);
    expect(invoice.ledgerTransactionIds).toHaveLength(1);

    // Idempotent: a second call changes nothing.
    expect(await createOpeningInvoice(db, { subscriptionId: subscription.id }, { clock, actor })).toEqual({ status: "exists", invoiceId: invoice.id });
    expect(await db.select().from(invoices).where(eq(invoices.subscriptionId, subscription.id))).toHaveLength(1);

    // Stripe: a card on the customer first, then the subscription: Stripe invoices the first period at once and charges it.
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "opening" });
    const { stripeCustomerId } = await syncCustomer(db, stripe, clock, { customerId, testClockId: testClock.id });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id });
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 2 * 3600 });
    await emulator.webhooks.waitForIdle(30_000);
    await drainInbox(db, stripe, systemClock);

    const linked = await linkOpeningInvoice(db, stripe, { subscriptionId: subscription.id }, { clock });
    expect(linked?.invoiceId).toBe(invoice.id);
    const first = await stripe.invoices.retrieve(linked!.stripeInvoiceId);
    expect(first.billing_reason).toBe("subscription_create");
    expect(first.status).toBe("paid");
    expect(BigInt(first.total)).toBe(invoice.totalCents);
    expect(linked!.comparison?.matches).toBe(true);
    expect(await db.select().from(invoiceDiscrepancies)).toEqual([]);
    const [check] = await db.select().from(stripeInvoiceChecks).where(eq(stripeInvoiceChecks.invoiceId, invoice.id));
    expect(check).toMatchObject({ stripeInvoiceId: first.id, discrepancies: 0 });

    const [paid] = await db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(paid).toMatchObject({ status: "paid", stripeInvoiceId: first.id });
    expect(paid!.paidAt?.getTime()).toBe(first.status_transitions.paid_at! * 1000);
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
    await expectLedgerConsistent(db);

    // Every webhook again, in reverse order: nothing moves.
    const ledger = await stripeLedgerSnapshot(db);
    const stored = await db.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents).orderBy(stripeWebhookEvents.receivedAt);
    for (const row of stored.reverse()) await replayWebhookEvent(db, actor, clock, { eventId: row.id, reason: "redeliver in reverse" });
    await drainInbox(db, stripe, systemClock);
    expect(await stripeLedgerSnapshot(db)).toEqual(ledger);
    const [after] = await db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(after).toMatchObject({ status: "paid", paidAt: paid!.paidAt });
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
  });
});

describe("Tally's invoice status follows Stripe's, forwards only", () => {
  it("moves a linked invoice to paid / void / uncollectible once and never back", async () => {
    const { db } = database;
    const clock = fixedClock(new Date(start * 1000));
    const planVersionId = await proVersionId();
    const ids: string[] = [];
    for (const suffix of ["status-a", "status-b"]) {
      const customerId = await insertCustomer(db, suffix);
      const subscription = await createSubscription(db, actor, clock, { customerId, planVersionId, seats: 1, trialDays: 0 });
      const [row] = await db.select().from(invoices).where(eq(invoices.subscriptionId, subscription.id));
      await db.update(invoices).set({ stripeInvoiceId: `in_${suffix}` }).where(eq(invoices.id, row!.id));
      ids.push(row!.id);
    }
    const transitions = { paid_at: null, voided_at: null, marked_uncollectible_at: null, finalized_at: null };
    const stripeInvoice = (id: string, status: "paid" | "void" | "uncollectible" | "open", at: number) => ({
      id,
      status,
      status_transitions: { ...transitions, ...(status === "paid" ? { paid_at: at } : status === "void" ? { voided_at: at } : status === "uncollectible" ? { marked_uncollectible_at: at } : {}) },
    });
    const statusOf = async (id: string) => (await db.select().from(invoices).where(eq(invoices.id, id)))[0]!;

    // A: paid, then a duplicate paid, a late "open", void and uncollectible: stays paid at the first time.
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-a", "open", start))).toBeNull();
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-a", "paid", start + 60))).toEqual({ invoiceId: ids[0], status: "paid" });
    for (const status of ["paid", "uncollectible", "void"] as const) expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-a", status, start + 120))).toBeNull();
    expect(await statusOf(ids[0]!)).toMatchObject({ status: "paid", paidAt: new Date((start + 60) * 1000), voidedAt: null, uncollectibleAt: null });

    // B: uncollectible, then paid after all (forwards), then void is refused.
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-b", "uncollectible", start + 60))).toEqual({ invoiceId: ids[1], status: "uncollectible" });
    expect(await statusOf(ids[1]!)).toMatchObject({ status: "uncollectible", uncollectibleAt: new Date((start + 60) * 1000) });
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-b", "uncollectible", start + 90))).toBeNull();
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-b", "paid", start + 120))).toEqual({ invoiceId: ids[1], status: "paid" });
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_status-b", "void", start + 180))).toBeNull();
    expect(await statusOf(ids[1]!)).toMatchObject({ status: "paid", paidAt: new Date((start + 120) * 1000), voidedAt: null });

    // An unlinked Stripe invoice moves nothing.
    expect(await followStripeInvoiceStatus(db, clock, stripeInvoice("in_unknown", "paid", start))).toBeNull();
  });
});
