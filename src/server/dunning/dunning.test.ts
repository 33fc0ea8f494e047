import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { executeRows } from "@/db/execute";
import { dunningCases, dunningEvents, notifications, planVersions, plans, stripeWebhookEvents, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { createEntitlementCatalog } from "@/server/entitlements/test-fixtures";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { replayWebhookEvent } from "@/server/stripe/replay-webhook-event";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { drainInbox, insertCustomer, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { enforceDunning } from "./enforce-dunning";
import { getCustomerDunning } from "./get-dunning";
import { demoDunningInvoiceId, seedDunningDemo } from "./seed-dunning-demo";
import { extendGracePeriod, retryPaymentNow, sendInvoiceLink } from "./support-actions";

const day = 86_400;
let database: TestDatabase;
let testbed: StripeTestbed;
let catalog: Awaited<ReturnType<typeof createEntitlementCatalog>>;
let planVersionId: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(POST, {
    config: {
      webhooks: { retryDelaysMs: [20, 50, 100], timeoutMs: 5000 },
      dunning: { retryOffsetsSeconds: [3 * day, 5 * day, 7 * day], subscriptionAfterRetries: "unpaid", invoiceAfterRetries: "open" },
    },
  });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
  catalog = await createEntitlementCatalog(database.db);
  const [plan] = await database.db.insert(plans).values({ key: "dunning-plan", name: "Dunning plan" }).returning();
  const [version] = await database.db
    .insert(planVersions)
    .values({
      planId: plan!.id,
      version: 1,
      status: "published",
      publishedAt: new Date("2026-01-01T00:00:00Z"),
      currency: "usd",
      billingInterval: "month",
      baseFeePerSeatMicros: 20_000_000n,
      trialDays: 14,
      entitlements: [
        { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "1000", overage: "block" },
        { featureKey: catalog.featureKeys.sso, kind: "boolean", enabled: true },
      ],
    })
    .returning();
  planVersionId = version!.id;
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

/** A Tally subscription synced to Stripe on a test clock, paying with a card that declines every charge. */
async function failingCustomer(suffix: string, start: number) {
  const { db } = database;
  const { stripe, emulator } = testbed;
  const customerId = await insertCustomer(db, suffix);
  const subscription = await createSubscription(db, systemActor("test"), fixedClock(new Date(start * 1000)), { customerId, planVersionId, seats: 1 });
  const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: suffix });
  const synced = await syncSubscription(db, stripe, fixedClock(new Date(start * 1000)), { subscriptionId: subscription.id, testClockId: testClock.id });
  const stripeCustomerId = emulator.state.list("subscription").find((row) => row.id === synced.stripeSubscriptionId)!.customer as string;
  const card = await stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: stripeCustomerId });
  await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
  const advance = async (to: number) => {
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: to });
    await emulator.webhooks.waitForIdle(20_000);
    await drainInbox(db, stripe, systemClock);
  };
  return { customerId, externalId: `stripe-test-${suffix}`, stripeCustomerId, stripeSubscriptionId: synced.stripeSubscriptionId!, firstAttempt: start + 14 * day + 3600, advance };
}

async function dunningSnapshot(customerId: string) {
  const { db } = database;
  const cases = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customerId));
  const events = await db.select({ kind: dunningEvents.kind, attempt: dunningEvents.attempt, key: dunningEvents.dedupeKey }).from(dunningEvents).orderBy(asc(dunningEvents.dedupeKey));
  const sent = await db.select({ key: notifications.dedupeKey }).from(notifications).where(eq(notifications.customerId, customerId)).orderBy(asc(notifications.dedupeKey));
  const ledger = await executeRows<{ key: string }>(db, sql`select idempotency_key as key from ledger_transactions order by 1`);
  return { cases, events, sent, ledger };
}

describe("dunning on a test clock", () => {
  it("records each failed attempt, restricts usage after the grace period, and restores access when paid", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const start = Date.UTC(2026, 0, 15, 12, 0, 0) / 1000;
    const customer = await failingCustomer("dunning-a", start);
    const { firstAttempt } = customer;
    const check = (at: number, feature = catalog.featureKeys.requests) => checkEntitlement(db, { customer: customer.externalId, feature }, { clock: fixedClock(new Date(at * 1000)) });

    await customer.advance(firstAttempt + 60);
    expect((await stripe.subscriptions.retrieve(customer.stripeSubscriptionId)).status).toBe("past_due");
    let [dunningCase] = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.customerId));
    expect(dunningCase).toMatchObject({
      status: "open",
      attemptCount: 1,
      nextRetryAt: new Date((firstAttempt + 3 * day) * 1000),
      amountDueMicros: 20_000_000n,
      currency: "usd",
      firstFailedAt: new Date(firstAttempt * 1000),
      graceEndsAt: new Date((firstAttempt + 7 * day) * 1000),
      restrictedAt: null,
    });
    // past_due is the grace period: still allowed.
    expect((await check(firstAttempt + day)).reason).toBe("ok");

    await customer.advance(firstAttempt + 3 * day + 60);
    await customer.advance(firstAttempt + 5 * day + 60);
    [dunningCase] = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.customerId));
    expect(dunningCase).toMatchObject({ status: "open", attemptCount: 3, nextRetryAt: new Date((firstAttempt + 7 * day) * 1000) });
    const view = await getCustomerDunning(db, customer.customerId);
    expect(view.cases[0]!.events.filter((event) => event.kind === "payment_failed").map((event) => [event.attempt, event.occurredAt.getTime() / 1000])).toEqual([
      [1, firstAttempt],
      [2, firstAttempt + 3 * day],
      [3, firstAttempt + 5 * day],
    ]);
    const failedNotices = await db.select().from(notifications).where(eq(notifications.kind, "dunning.payment_failed"));
    expect(failedNotices.filter((row) => row.customerId === customer.customerId)).toHaveLength(3);

    // The grace period has not ended a second before its end; at its end usage-based features stop.
    expect(await enforceDunning(db, fixedClock(new Date((firstAttempt + 7 * day - 1) * 1000)))).toEqual({ restricted: 0, due: 0, failed: [] });
    const restrictAt = firstAttempt + 7 * day;
    expect((await enforceDunning(db, fixedClock(new Date(restrictAt * 1000)))).restricted).toBe(1);
    expect((await enforceDunning(db, fixedClock(new Date((restrictAt + 60) * 1000)))).restricted).toBe(0);
    expect((await check(restrictAt + 1)).reason).toBe("subscription_inactive");
    expect((await check(restrictAt + 1, catalog.featureKeys.sso)).reason).toBe("ok");

    // Support retries with the same declining card: recorded as declined, still restricted.
    const declined = await retryPaymentNow(db, stripe, systemActor("support-test"), fixedClock(new Date((restrictAt + 120) * 1000)), { caseId: dunningCase!.id, reason: "customer asked to retry" });
    expect(declined.outcome).toBe("declined");
    expect((await check(restrictAt + 121)).reason).toBe("subscription_inactive");

    // A new card pays the invoice; invoice.paid restores access at once.
    const visa = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.stripeCustomerId });
    await stripe.customers.update(customer.stripeCustomerId, { invoice_settings: { default_payment_method: visa.id } });
    const paid = await stripe.invoices.pay(dunningCase!.stripeInvoiceId);
    expect(paid.status).toBe("paid");
    await emulator.webhooks.waitForIdle(20_000);
    await drainInbox(db, stripe, systemClock);
    [dunningCase] = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.customerId));
    expect(dunningCase).toMatchObject({ status: "recovered", amountDueMicros: 0n, nextRetryAt: null });
    expect((await check(restrictAt + 600)).reason).toBe("ok");
    expect((await stripe.subscriptions.retrieve(customer.stripeSubscriptionId)).status).toBe("active");

    // Every event delivered again: nothing changes.
    const before = await dunningSnapshot(customer.customerId);
    const stored = await db.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents);
    for (const event of stored) await replayWebhookEvent(db, systemActor("test"), systemClock, { eventId: event.id, reason: "replay everything" });
    await drainInbox(db, stripe, systemClock);
    expect(await dunningSnapshot(customer.customerId)).toEqual(before);
    expect((await check(restrictAt + 900)).reason).toBe("ok");
    await expectLedgerConsistent(db);
  });

  it("follows Stripe to unpaid when the retries are exhausted and writes the receivable off once", async () => {
    const { db } = database;
    const start = Date.UTC(2026, 2, 2, 12, 0, 0) / 1000;
    const customer = await failingCustomer("dunning-b", start);
    await customer.advance(customer.firstAttempt + 60);
    await customer.advance(customer.firstAttempt + 7 * day + 60);
    const [dunningCase] = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customer.customerId));
    expect(dunningCase).toMatchObject({ status: "written_off", attemptCount: 4, writtenOffMicros: 20_000_000n, nextRetryAt: null });
    const [tally] = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.customerId));
    expect(tally?.status).toBe("unpaid");
    const check = await checkEntitlement(db, { customer: customer.externalId, feature: catalog.featureKeys.sso }, { clock: fixedClock(new Date((customer.firstAttempt + 8 * day) * 1000)) });
    expect(check.reason).toBe("subscription_inactive");
    const writeOffs = await executeRows<{ key: string; code: string; amount: string }>(
      db,
      sql`select t.idempotency_key as key, a.code, e.amount::text as amount from ledger_transactions t join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
          where t.idempotency_key like 'dunning:write-off:%' order by a.code`,
    );
    expect(writeOffs.map((row) => [row.key, row.code])).toEqual([
      [`dunning:write-off:${dunningCase!.stripeInvoiceId}`, `customer:${customer.customerId}:receivable`],
      [`dunning:write-off:${dunningCase!.stripeInvoiceId}`, "expense:bad_debt"],
    ]);
    const before = await dunningSnapshot(customer.customerId);
    const stored = await db.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents);
    for (const event of stored) await replayWebhookEvent(db, systemActor("test"), systemClock, { eventId: event.id, reason: "replay everything" });
    await drainInbox(db, testbed.stripe, systemClock);
    expect(await dunningSnapshot(customer.customerId)).toEqual(before);

    // Paid after all: the write-off is reversed once and the case recovers.
    const visa = await testbed.stripe.paymentMethods.attach("pm_card_visa", { customer: customer.stripeCustomerId });
    await testbed.stripe.customers.update(customer.stripeCustomerId, { invoice_settings: { default_payment_method: visa.id } });
    await testbed.stripe.invoices.pay(dunningCase!.stripeInvoiceId);
    await testbed.emulator.webhooks.waitForIdle(20_000);
    await drainInbox(db, testbed.stripe, systemClock);
    const [recovered] = await db.select().from(dunningCases).where(eq(dunningCases.id, dunningCase!.id));
    expect(recovered?.status).toBe("recovered");
    const keys = await executeRows<{ key: string; total: string }>(
      db,
      sql`select t.idempotency_key as key, sum(e.amount)::text as total from ledger_transactions t join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
          where a.code = 'expense:bad_debt' group by t.idempotency_key order by 1`,
    );
    expect(keys).toEqual([
      { key: `dunning:write-off:${dunningCase!.stripeInvoiceId}`, total: "20000000" },
      { key: `dunning:write-off:${dunningCase!.stripeInvoiceId}:recovered`, total: "-20000000" },
    ]);
    await expectLedgerConsistent(db);
  });

  it("seeds one demo case idempotently, and support can extend its grace and send the invoice link", async () => {
    const { db } = database;
    const clock = fixedClock("2026-06-10T12:00:00Z");
    const customerId = await insertCustomer(db, "dunning-seed");
    await createSubscription(db, systemActor("test"), clock, { customerId, planVersionId, seats: 1 });
    expect(await seedDunningDemo(db, clock)).toContain(demoDunningInvoiceId);
    expect(await seedDunningDemo(db, clock)).toBe("already there");
    const [seeded] = await db.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, demoDunningInvoiceId));
    expect(seeded).toMatchObject({ customerId, status: "open", attemptCount: 2, amountDueMicros: 49_000_000n, graceEndsAt: new Date("2026-06-13T12:00:00Z") });

    const support = systemActor("support-test");
    await expect(extendGracePeriod(db, support, clock, { caseId: seeded!.id, days: 2, reason: " " })).rejects.toMatchObject({ code: "invalid_reason" });
    const extended = await extendGracePeriod(db, support, clock, { caseId: seeded!.id, days: 2, reason: "customer is updating the card" });
    expect(extended.graceEndsAt).toEqual(new Date("2026-06-15T12:00:00Z"));
    expect(await sendInvoiceLink(db, support, clock, { caseId: seeded!.id, reason: "customer asked for the link" })).toEqual({ recorded: true });
    expect(await sendInvoiceLink(db, support, clock, { caseId: seeded!.id, reason: "double click" })).toEqual({ recorded: false });
    const links = await db.select().from(notifications).where(eq(notifications.kind, "dunning.invoice_link"));
    expect(links.map((row) => row.payload.hostedInvoiceUrl)).toEqual(["https://invoice.stripe.com/i/demo_dunning_0001"]);
    const timeline = (await getCustomerDunning(db, customerId)).cases[0]!.events.map((event) => event.kind);
    expect(timeline).toEqual(["opened", "payment_failed", "payment_failed", "grace_extended", "invoice_link_sent"]);
    const audits = await executeRows<{ action: string }>(db, sql`select action from audit_log where object_id = ${customerId} and action like 'dunning.%' order by action`);
    expect(audits.map((row) => row.action)).toEqual(expect.arrayContaining(["dunning.case.open", "dunning.grace.extend", "dunning.invoice_link.send"]));
  });
});
