import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookPost } from "@/app/api/webhooks/stripe/route";
import { billingSettings, invoiceLines, invoices, stripeInvoiceChecks } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { billThresholds } from "@/server/invoicing/bill-thresholds";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { accountNet, createTestCatalog, ingestAndRollUp, usageEvent } from "@/server/invoicing/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { drainInbox, insertCustomer, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { pushDueInvoices } from "./push-due";
import { pushInvoiceToStripe } from "./push-invoice";

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const actor = systemActor("threshold-push-test");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
// A trial of exactly the first month: Stripe's billing anchor (trial end) is Tally's period boundary.
const anchor = new Date(Date.UTC(2026, 0, 1));
const p1Start = new Date(Date.UTC(2026, 1, 1));
const p1End = new Date(Date.UTC(2026, 2, 1));

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

describe("threshold invoices reach Stripe as standalone invoices", () => {
  it("a mid-period threshold invoice is pushed, finalized and paid; the period-end invoice bills only the rest; the receivable ends at zero", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const catalog = await createTestCatalog(db, { tokenAllowance: null, baseFeePerSeatMicros: 10_000_000n });
    await db.insert(billingSettings).values({ key: catalog.planVersionId, thresholdMicros: 5_000_000n, updatedBy: "test" });
    const customerId = await insertCustomer(db, "threshold");
    const subject = "stripe-test-threshold";
    const subscription = await createSubscription(db, actor, fixedClock(anchor), { customerId, planVersionId: catalog.planVersionId, seats: 1, trialDays: 31 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: seconds(anchor), name: "threshold" });
    const { stripeSubscriptionId } = await syncSubscription(db, stripe, fixedClock(anchor), { subscriptionId: subscription.id, testClockId: testClock.id });
    const stripeCustomerId = emulator.state.list("customer")[0]!.id;
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });

    // The trial ends: Stripe bills P1's fee; Tally's P0 invoice (P1's fee in advance) is linked to it.
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1Start) + 2 * 3600 });
    const p0Clock = fixedClock(new Date(p1Start.getTime() + 2 * hourMs));
    expect((await closeDuePeriods(db, { until: p1Start }, { clock: p0Clock, actor })).created).toBe(1);
    expect((await pushDueInvoices(db, stripe, {}, { clock: p0Clock })).failed).toEqual([]);

    // Ten days of usage: 200 tokens a day, 2,000 tokens = 1,000 × $0.01 + 1,000 × $0.005 = $15, past the $5 threshold.
    const day = (n: number, hour = 3) => new Date(p1Start.getTime() + n * dayMs + hour * hourMs);
    const tokens = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => usageEvent(catalog.eventTypes.tokens, subject, day(from + index), { model: "sonnet", tokens: 200 }));
    const thresholdAt = day(10, 0);
    await ingestAndRollUp(db, tokens(0, 10), fixedClock(thresholdAt));
    const billed = await billThresholds(db, { subscriptionIds: [subscription.id] }, { clock: fixedClock(thresholdAt), actor });
    expect(billed.invoicesCreated).toBe(1);
    const [threshold] = await db.select().from(invoices).where(eq(invoices.id, billed.invoiceIds[0]!));
    expect(threshold).toMatchObject({ kind: "threshold", totalCents: 1500n, stripeInvoiceId: null });

    // The hourly push takes it: a standalone Stripe invoice with one item per line, finalized; pushing again changes nothing.
    const thresholdClock = fixedClock(thresholdAt);
    const pushed = await pushDueInvoices(db, stripe, {}, { clock: thresholdClock });
    expect(pushed.failed).toEqual([]);
    expect(pushed.pushed.map((result) => [result.invoiceId, result.target, result.created])).toEqual([[threshold!.id, "standalone", 1]]);
    expect(pushed.pushed[0]!.comparison).toMatchObject({ matches: true });
    const [linked] = await db.select().from(invoices).where(eq(invoices.id, threshold!.id));
    const standalone = await stripe.invoices.retrieve(linked!.stripeInvoiceId!);
    expect(standalone).toMatchObject({ status: "open", total: 1500, billing_reason: "manual", customer: stripeCustomerId, metadata: { tally_invoice_id: threshold!.id } });
    expect((await pushDueInvoices(db, stripe, {}, { clock: thresholdClock })).pushed).toEqual([]);
    expect(await pushInvoiceToStripe(db, stripe, { invoiceId: threshold!.id }, { clock: thresholdClock })).toMatchObject({ stripeInvoiceId: standalone.id, created: 0, alreadyPushed: 1 });

    // Stripe charges it about an hour later; the invoice.paid webhook books the payment.
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(thresholdAt) + 2 * 3600 });
    expect((await stripe.invoices.retrieve(standalone.id)).status).toBe("paid");

    // The rest of the month: 15 more days (3,000 tokens at $0.005 = $15): the period-end invoice bills only that, plus P2's fee.
    await ingestAndRollUp(db, tokens(10, 25), fixedClock(p1End));
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1End) + 60 });
    const closeClock = fixedClock(new Date(p1End.getTime() + 60_000));
    expect((await closeDuePeriods(db, { until: p1End }, { clock: closeClock, actor })).created).toBe(1);
    const [p1Invoice] = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.kind, "period"), eq(invoices.periodStart, p1Start)));
    const p1Lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, p1Invoice!.id)).orderBy(invoiceLines.position);
    expect(p1Lines.map((line) => [line.kind, line.amountCents])).toEqual([
      ["usage", 1500n],
      ["base_fee", 1000n],
    ]);
    expect(p1Lines[0]!.metadata).toMatchObject({ previousBillableQuantity: "2000", billableQuantity: "5000" });
    expect((await pushDueInvoices(db, stripe, {}, { clock: closeClock })).failed).toEqual([]);
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1End) + 3 * 3600 });
    await emulator.webhooks.waitForIdle(30_000);
    await drainInbox(db, stripe, systemClock);

    const [p1Linked] = await db.select().from(invoices).where(eq(invoices.id, p1Invoice!.id));
    const renewal = await stripe.invoices.retrieve(p1Linked!.stripeInvoiceId!);
    expect(renewal).toMatchObject({ status: "paid", total: 2500, billing_reason: "subscription_cycle" });
    // Every Stripe invoice of the customer is one of Tally's, checked without a difference.
    const checks = await db.select().from(stripeInvoiceChecks);
    expect(checks.filter((check) => check.stripeInvoiceId === standalone.id || check.stripeInvoiceId === renewal.id).map((check) => check.discrepancies)).toEqual([0, 0]);
    expect(checks.every((check) => check.discrepancies === 0)).toBe(true);
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
    expect(stripeSubscriptionId).not.toBeNull();
    await expectLedgerConsistent(db);
  });
});
