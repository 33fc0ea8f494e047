import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { executeRows } from "@/db/execute";
import { invoiceLines, invoices, planVersions, plans, subscriptionScheduledChanges, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { createEntitlementCatalog } from "@/server/entitlements/test-fixtures";
import { compareStripeInvoice } from "@/server/billing-sync/compare-invoice";
import { pushInvoiceToStripe } from "@/server/billing-sync/push-invoice";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncCustomer } from "@/server/stripe/sync-customer";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { insertCustomer, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { applyDueScheduledChanges, changeSubscription, subscriptionChangeLedgerKey } from "./change-subscription";
import { createSubscription } from "./create-subscription";
import { previewSubscriptionChange, prorateMinor } from "./preview-subscription-change";

const day = 86_400;
const actor = systemActor("test");
let database: TestDatabase;
let testbed: StripeTestbed;
let catalog: Awaited<ReturnType<typeof createEntitlementCatalog>>;
const versions: Record<"basic" | "pro", string> = { basic: "", pro: "" };

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(POST);
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
  catalog = await createEntitlementCatalog(database.db);
  for (const [key, fee, allowance] of [["basic", 20_000_000n, "100"], ["pro", 50_000_000n, "1000"]] as const) {
    const [plan] = await database.db.insert(plans).values({ key: `change-${key}`, name: `Change ${key}` }).returning();
    const [version] = await database.db
      .insert(planVersions)
      .values({
        planId: plan!.id,
        version: 1,
        status: "published",
        publishedAt: new Date("2026-01-01T00:00:00Z"),
        currency: "usd",
        billingInterval: "month",
        baseFeePerSeatMicros: fee,
        trialDays: 0,
        entitlements: [{ featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: allowance, overage: "block" }],
      })
      .returning();
    versions[key] = version!.id;
  }
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

describe("prorateMinor", () => {
  it("rounds each line once, half away from zero", () => {
    expect(prorateMinor(2000n, 1, 21 * day, 31 * day)).toBe(1355n); // 1354.84
    expect(prorateMinor(5000n, 3, 21 * day, 31 * day)).toBe(10161n); // 10161.29
    expect(prorateMinor(1n, 1, 1, 2)).toBe(1n); // 0.5 → 1
    expect(prorateMinor(-1n, 1, 1, 2)).toBe(-1n);
  });
});

describe("mid-cycle plan changes against the Stripe emulator", () => {
  it("a day-10 upgrade: Tally's proration lines equal Stripe's preview and invoice to the cent, posted to the ledger once; a downgrade waits for the period end", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const start = Date.UTC(2026, 0, 15, 12, 0, 0) / 1000;
    const customerId = await insertCustomer(db, "change");
    const subscription = await createSubscription(db, actor, fixedClock(new Date(start * 1000)), { customerId, planVersionId: versions.basic, seats: 3 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "change" });
    const { stripeCustomerId } = await syncCustomer(db, stripe, fixedClock(new Date(start * 1000)), { customerId, testClockId: testClock.id });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    const synced = await syncSubscription(db, stripe, fixedClock(new Date(start * 1000)), { subscriptionId: subscription.id });
    expect((await stripe.subscriptions.retrieve(synced.stripeSubscriptionId!)).status).toBe("active");

    const changeAt = start + 10 * day;
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: changeAt });
    const clock = fixedClock(new Date(changeAt * 1000));
    const preview = await previewSubscriptionChange(db, stripe, clock, { customerId, planVersionId: versions.pro });
    expect(preview).toMatchObject({ direction: "upgrade", timing: "now", remainingSeconds: 21 * day, periodSeconds: 31 * day });
    // $20 × 3 × 21/31 = 40.645… → 40.65 credit; $50 × 3 × 21/31 = 101.612… → 101.61 debit.
    expect(preview.lines.map((line) => line.amountMinor)).toEqual([-4065n, 10161n]);
    expect(preview.stripe).toMatchObject({ agrees: true, totalProrationMinor: 6096n });

    const result = await changeSubscription(db, stripe, actor, clock, { action: "change", customerId, planVersionId: versions.pro, reason: "customer upgraded" });
    expect(result).toMatchObject({ status: "applied", stripe: "updated" });
    const stripeInvoices = await stripe.invoices.list({ subscription: synced.stripeSubscriptionId!, limit: 10 });
    const prorationInvoice = stripeInvoices.data.find((invoice) => invoice.billing_reason === "subscription_update");
    expect(prorationInvoice?.total).toBe(6096);
    expect((await stripe.subscriptions.retrieve(synced.stripeSubscriptionId!)).items.data[0]!.price.unit_amount).toBe(5000);
    expect(emulator.state.count("subscription")).toBe(1);

    // Entitlements switched with the change: the bigger allowance applies at once.
    const check = await checkEntitlement(db, { customer: "stripe-test-change", feature: catalog.featureKeys.requests, quantity: "500" }, { clock });
    expect(check.reason).toBe("ok");

    const ledger = await executeRows<{ code: string; amount: string }>(
      db,
      sql`select a.code, e.amount::text as amount from ledger_transactions t join ledger_entries e on e.transaction_id = t.id join ledger_accounts a on a.id = e.account_id
          where t.idempotency_key = ${subscriptionChangeLedgerKey(result.changeId!)} order by a.code`,
    );
    expect(ledger).toEqual([
      // Debits positive, credits negative.
      { code: `customer:${customerId}:receivable`, amount: "60960000" },
      { code: "revenue:subscription:change-basic", amount: "40650000" },
      { code: "revenue:subscription:change-pro", amount: "-101610000" },
    ]);
    const prorations = await executeRows<{ id: string }>(db, sql`select id from ledger_transactions where kind = 'proration'`);
    expect(prorations).toHaveLength(1);

    // Tally's proration invoice: the preview's lines, numbered like every invoice, on the one ledger posting, linked to Stripe's and compared.
    const [prorationRow] = await db.select().from(invoices).where(eq(invoices.id, result.invoiceId!));
    expect(prorationRow).toMatchObject({
      kind: "proration",
      // Stripe charged its subscription_update invoice; linking it brought Tally's status along.
      status: "paid",
      sequence: 1,
      totalCents: 6096n,
      periodStart: new Date(changeAt * 1000),
      periodEnd: new Date(Date.UTC(2026, 1, 15, 12, 0, 0)),
      stripeInvoiceId: prorationInvoice!.id,
      ledgerTransactionIds: [prorations[0]!.id],
    });
    expect(prorationRow!.number).toMatch(/^TLY-\d{6}$/);
    const prorationLines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, prorationRow!.id)).orderBy(invoiceLines.position);
    expect(prorationLines.map((line) => [line.kind, line.productKey, line.quantity, line.amountCents])).toEqual([
      ["proration", "change-basic", "3", -4065n],
      ["proration", "change-pro", "3", 10161n],
    ]);
    const checked = await compareStripeInvoice(db, stripe, { invoiceId: prorationRow!.id }, { clock });
    expect(checked).toMatchObject({ stripeInvoiceId: prorationInvoice!.id, matches: true, discrepancies: [] });
    // Submitting the same change again is refused: nothing new in the ledger.
    await expect(changeSubscription(db, stripe, actor, clock, { action: "change", customerId, planVersionId: versions.pro, reason: "double submit" })).rejects.toMatchObject({ code: "no_change" });

    // A downgrade waits for the period end by default; entitlements stay until then.
    const later = fixedClock(new Date((changeAt + day) * 1000));
    const downgrade = await changeSubscription(db, stripe, actor, later, { action: "change", customerId, planVersionId: versions.basic, seats: 2, reason: "customer downgrades next month" });
    expect(downgrade).toMatchObject({ status: "scheduled", effectiveAt: new Date(Date.UTC(2026, 1, 15, 12, 0, 0)), stripe: "scheduled" });
    expect((await checkEntitlement(db, { customer: "stripe-test-change", feature: catalog.featureKeys.requests, quantity: "500" }, { clock: later })).reason).toBe("ok");
    expect((await applyDueScheduledChanges(db, actor, later)).applied).toHaveLength(0);
    const periodEnd = fixedClock(new Date(Date.UTC(2026, 1, 15, 12, 0, 0)));
    expect((await applyDueScheduledChanges(db, actor, periodEnd)).applied).toHaveLength(1);
    const [after] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    expect(after).toMatchObject({ planVersionId: versions.basic, seats: 2 });
    expect((await checkEntitlement(db, { customer: "stripe-test-change", feature: catalog.featureKeys.requests, quantity: "500" }, { clock: periodEnd })).reason).toBe("allowance_exhausted");
    const changes = await db.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.subscriptionId, subscription.id));
    expect(changes.map((change) => change.status).sort()).toEqual(["applied", "applied"]);

    // Cancel at period end, then resume.
    const canceling = await changeSubscription(db, stripe, actor, periodEnd, { action: "cancel", customerId, at: "period_end", reason: "customer leaving" });
    expect(canceling.status).toBe("scheduled");
    expect((await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)))[0]?.cancelAtPeriodEnd).toBe(true);
    await changeSubscription(db, stripe, actor, periodEnd, { action: "resume", customerId, reason: "customer stays" });
    expect((await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)))[0]?.cancelAtPeriodEnd).toBe(false);
    await expectLedgerConsistent(db);
  });

  it("a day-10 downgrade reaches Stripe as a subscription schedule: the renewal bills the new price, as Tally's period-close invoice does", async () => {
    const { db } = database;
    const { stripe } = testbed;
    const start = Date.UTC(2026, 2, 1, 0, 0, 0) / 1000;
    const periodEnd = Date.UTC(2026, 3, 1, 0, 0, 0) / 1000;
    const customerId = await insertCustomer(db, "schedule");
    const subscription = await createSubscription(db, actor, fixedClock(new Date(start * 1000)), { customerId, planVersionId: versions.pro, seats: 2 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "schedule" });
    const { stripeCustomerId } = await syncCustomer(db, stripe, fixedClock(new Date(start * 1000)), { customerId, testClockId: testClock.id });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    const { stripeSubscriptionId } = await syncSubscription(db, stripe, fixedClock(new Date(start * 1000)), { subscriptionId: subscription.id });

    const day10 = start + 10 * day;
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: day10 });
    const clock = fixedClock(new Date(day10 * 1000));
    // A first decision (2 → 1 seat of pro) replaced by a newer one: the same schedule carries the newer.
    const first = await changeSubscription(db, stripe, actor, clock, { action: "change", customerId, seats: 1, reason: "fewer seats next month" });
    expect(first).toMatchObject({ status: "scheduled", stripe: "scheduled" });
    const result = await changeSubscription(db, stripe, actor, clock, { action: "change", customerId, planVersionId: versions.basic, seats: 1, reason: "customer downgrades next month" });
    expect(result).toMatchObject({ status: "scheduled", stripe: "scheduled", effectiveAt: new Date(periodEnd * 1000) });
    const [change] = await db.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.id, result.changeId!));
    const [replaced] = await db.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.id, first.changeId!));
    expect(change!.stripeScheduleId).toMatch(/^sub_sched_/);
    expect(replaced).toMatchObject({ status: "canceled", stripeScheduleId: change!.stripeScheduleId });
    const schedule = await stripe.subscriptionSchedules.retrieve(change!.stripeScheduleId!);
    expect(schedule.phases.map((phase) => [phase.start_date, phase.end_date, phase.items[0]?.quantity])).toEqual([
      [start, periodEnd, 2],
      [periodEnd, Date.UTC(2026, 4, 1) / 1000, 1],
    ]);
    // Nothing changes in Stripe before the boundary.
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).items.data[0]!.price.unit_amount).toBe(5000);

    // The renewal: Stripe switches at the boundary (no prorations) and bills $20 × 1 in advance; Tally closes the period with the same fee.
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: periodEnd + 2 * 3600 });
    const atEnd = fixedClock(new Date(periodEnd * 1000));
    expect((await applyDueScheduledChanges(db, actor, atEnd, { subscriptionId: subscription.id })).applied.map((applied) => applied.id)).toEqual([result.changeId]);
    const [closed] = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.kind, "period")));
    expect(closed).toMatchObject({ totalCents: 2000n, periodStart: new Date(start * 1000), periodEnd: new Date(periodEnd * 1000) });
    const feeLines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, closed!.id));
    expect(feeLines.map((line) => [line.kind, line.productKey, line.amountCents])).toEqual([["base_fee", "change-basic", 2000n]]);
    const renewal = (await stripe.invoices.list({ subscription: stripeSubscriptionId!, limit: 10 })).data.find((invoice) => invoice.billing_reason === "subscription_cycle");
    expect(renewal).toMatchObject({ total: 2000, status: "paid", period_start: start, period_end: periodEnd });
    const pushed = await pushInvoiceToStripe(db, stripe, { invoiceId: closed!.id }, { clock: atEnd });
    expect(pushed).toMatchObject({ stripeInvoiceId: renewal!.id, target: "finalized" });
    expect(pushed.comparison).toMatchObject({ matches: true, discrepancies: [] });
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).items.data[0]).toMatchObject({ quantity: 1, price: expect.objectContaining({ unit_amount: 2000 }) });
    // Stripe already runs the new plan: the sync has nothing to change.
    expect((await syncSubscription(db, stripe, atEnd, { subscriptionId: subscription.id })).action).toBe("unchanged");
    await expectLedgerConsistent(db);
  });

  it("a canceled period-end change releases its Stripe schedule", async () => {
    const { db } = database;
    const { stripe } = testbed;
    const start = Date.UTC(2026, 2, 1, 0, 0, 0) / 1000;
    const customerId = await insertCustomer(db, "release");
    const subscription = await createSubscription(db, actor, fixedClock(new Date(start * 1000)), { customerId, planVersionId: versions.pro, seats: 2 });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start, name: "release" });
    const { stripeCustomerId } = await syncCustomer(db, stripe, fixedClock(new Date(start * 1000)), { customerId, testClockId: testClock.id });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    const { stripeSubscriptionId } = await syncSubscription(db, stripe, fixedClock(new Date(start * 1000)), { subscriptionId: subscription.id });
    const clock = fixedClock(new Date((start + 5 * day) * 1000));
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: start + 5 * day });
    const scheduled = await changeSubscription(db, stripe, actor, clock, { action: "change", customerId, planVersionId: versions.basic, reason: "downgrade next month" });
    const [change] = await db.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.id, scheduled.changeId!));
    expect((await stripe.subscriptions.retrieve(stripeSubscriptionId!)).schedule).toBe(change!.stripeScheduleId);
    await changeSubscription(db, stripe, actor, clock, { action: "cancel", customerId, at: "period_end", reason: "customer leaving instead" });
    expect((await stripe.subscriptionSchedules.retrieve(change!.stripeScheduleId!)).status).toBe("released");
    const after = await stripe.subscriptions.retrieve(stripeSubscriptionId!);
    expect(after).toMatchObject({ schedule: null, cancel_at_period_end: true });
    expect((await db.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.id, change!.id)))[0]?.status).toBe("canceled");
  });
});
