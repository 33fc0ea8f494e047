import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as webhookPost } from "@/app/api/webhooks/stripe/route";
import { creditGrants, invoiceLines, invoices } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { purchaseCredits } from "@/server/invoicing/purchase-credits";
import { accountNet, createTestCatalog } from "@/server/invoicing/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { reconcile } from "@/server/reconciliation/reconcile";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { drainInbox, insertCustomer, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { pushDueInvoices } from "./push-due";

const actor = systemActor("credit-purchase-test");
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

let database: TestDatabase;
let testbed: StripeTestbed;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(webhookPost, { seed: 13 });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
}, 120_000);
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

describe("a paid credit purchase is invoiced and collected like any charge", () => {
  it("invoices the credit in Tally and Stripe, Stripe charges it, the cash clears the receivable, and the books reconcile", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000);
    const clock = fixedClock(now);
    const catalog = await createTestCatalog(db, { tokenAllowance: null, baseFeePerSeatMicros: 0n });
    const customerId = await insertCustomer(db, "credit-purchase");
    const subscription = await createSubscription(db, actor, clock, { customerId, planVersionId: catalog.planVersionId, seats: 1 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: seconds(now), name: "credit purchase" });
    await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
    const stripeCustomerId = emulator.state.list("customer")[0]!.id;
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });

    const purchase = await purchaseCredits(db, actor, clock, { customerId, amountMicros: 1_000_000_000n, idempotencyKey: "buy-1" });
    const [invoice] = await db.select().from(invoices).where(eq(invoices.id, purchase.invoiceId));
    expect(invoice).toMatchObject({ kind: "credit_purchase", status: "finalized", totalCents: 100_000n, number: purchase.invoiceNumber });
    expect((await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, purchase.invoiceId))).map((line) => [line.kind, line.amountCents])).toEqual([["credit_purchase", 100_000n]]);
    const [grant] = await db.select().from(creditGrants).where(eq(creditGrants.id, purchase.grantId));
    expect(grant).toMatchObject({ category: "paid", source: "purchase", sourceReference: purchase.invoiceId, amountMicros: 1_000_000_000n });
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(1_000_000_000n);
    await expect(purchaseCredits(db, actor, clock, { customerId, amountMicros: 2_000_000_000n, idempotencyKey: "buy-1" })).rejects.toMatchObject({ code: "credit_purchase_idempotency_conflict" });
    await expect(purchaseCredits(db, actor, clock, { customerId, amountMicros: 1_000_005n, idempotencyKey: "buy-2" })).rejects.toMatchObject({ code: "credit_purchase_amount_not_whole_cents" });

    // Pushed as its own Stripe invoice, finalized; Stripe charges it; the webhook books the cash.
    const pushed = await pushDueInvoices(db, stripe, {}, { clock });
    expect(pushed.failed).toEqual([]);
    expect(pushed.pushed.map((result) => [result.invoiceId, result.target])).toEqual([[purchase.invoiceId, "standalone"]]);
    const [linked] = await db.select().from(invoices).where(eq(invoices.id, purchase.invoiceId));
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(now) + 2 * 3600 });
    await emulator.webhooks.waitForIdle(30_000);
    await drainInbox(db, stripe, systemClock);
    expect(await stripe.invoices.retrieve(linked!.stripeInvoiceId!)).toMatchObject({ status: "paid", total: 100_000, description: `Prepaid credit (${purchase.invoiceNumber})` });
    expect((await db.select().from(invoices).where(eq(invoices.id, purchase.invoiceId)))[0]!.status).toBe("paid");
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
    await expectLedgerConsistent(db);

    const reconciled = await reconcile(db, fixedClock(new Date(Date.now() + 86_400_000)), { from: new Date(now.getTime() - 86_400_000), to: new Date(Date.now() + 86_400_000) });
    expect(reconciled.found).toBe(0);
  });
});
