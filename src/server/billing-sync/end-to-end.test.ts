import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingestPost } from "@/app/api/v1/events/route";
import { POST as webhookPost } from "@/app/api/webhooks/stripe/route";
import { executeRows } from "@/db/execute";
import { invoiceDiscrepancies, invoiceLines, invoices, planVersions, plans, stripeInvoiceChecks, stripeMeterEventSends, stripeWebhookEvents } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock, systemClock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { issueGrant } from "@/server/grants/issue-grant";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { accountNet } from "@/server/invoicing/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { rollUpPending } from "@/server/metering/roll-up-pending";
import { reconcile } from "@/server/reconciliation/reconcile";
import { replayWebhookEvent } from "@/server/stripe/replay-webhook-event";
import { createStripeClient } from "@/server/stripe/stripe-client";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { drainInbox, insertCustomer, stripeLedgerSnapshot, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { compareStripeInvoice } from "./compare-invoice";
import { sendMeterEvents, syncMeters } from "./meter-events";
import { pushDueInvoices } from "./push-due";
import { pushInvoiceToStripe } from "./push-invoice";

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const actor = systemActor("billing-sync-test");

/**
 * The timeline follows the wall clock, because ingest accepts events up to 35 days old and Stripe
 * meter events too: the usage month P1 ends two hours ago (on a day ≤ 28, so month arithmetic
 * never clamps), the trial (period P0) is the month before it.
 */
function addUtcMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}
const p1End = (() => {
  const end = new Date(Math.floor(Date.now() / hourMs) * hourMs - 2 * hourMs);
  while (end.getUTCDate() > 28) end.setTime(end.getTime() - dayMs);
  return end;
})();
const p1Start = addUtcMonths(p1End, -1);
const anchor = addUtcMonths(p1End, -2);
const trialDays = Math.round((p1Start.getTime() - anchor.getTime()) / dayMs);
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

let database: TestDatabase;
let testbed: StripeTestbed;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  testbed = await startStripeTestbed(webhookPost, { seed: 7 });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
}, 120_000);
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

async function ingest(key: string, events: Record<string, unknown>[]): Promise<void> {
  for (let offset = 0; offset < events.length; offset += 1000) {
    const response = await ingestPost(
      new Request("http://tally.test/api/v1/events", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/cloudevents-batch+json" },
        body: JSON.stringify(events.slice(offset, offset + 1000)),
      }),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; results: { status: string }[] };
    expect(body.results.filter((result) => result.status !== "accepted")).toEqual([]);
  }
}

function event(type: string, subject: string, time: Date, data: Record<string, unknown>): Record<string, unknown> {
  return { specversion: "1.0", id: crypto.randomUUID(), source: "test/billing-sync", type, subject, time: time.toISOString(), data };
}

async function stripeItemsOf(stripe: Stripe, customer: string): Promise<Stripe.InvoiceItem[]> {
  const items: Stripe.InvoiceItem[] = [];
  for await (const item of stripe.invoiceItems.list({ customer, limit: 100 })) items.push(item);
  return items;
}

describe("a month of usage reaches Stripe's renewal invoice exactly, and Tally checks it", () => {
  it("pushes, finalizes, charges, compares and books, once, under faults and redelivery", async () => {
    const { db } = database;
    const { stripe, emulator } = testbed;
    const clock = fixedClock(anchor);
    await seedCatalog(db, { clock });
    const [pro] = await db
      .select({ id: planVersions.id })
      .from(planVersions)
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .where(and(eq(plans.key, "pro"), eq(planVersions.version, 1)));
    const customerId = await insertCustomer(db, "e2e");
    const subject = "stripe-test-e2e";
    // The trial is exactly the first month, so Stripe's billing anchor (trial end) is Tally's period boundary.
    const subscription = await createSubscription(db, actor, clock, { customerId, planVersionId: pro!.id, seats: 2, trialDays });
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: seconds(anchor), name: "e2e" });
    await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id, testClockId: testClock.id });
    const stripeCustomerId = emulator.state.list("customer")[0]!.id;
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    const meters = await syncMeters(db, stripe);
    expect(meters.created.map((meter) => meter.meterKey).sort()).toEqual(["agent_requests", "llm_tokens", "reviews"]);
    expect((await syncMeters(db, stripe)).created).toEqual([]);

    // A promotional grant: $10 of credit.
    await issueGrant(db, actor, clock, {
      customerId,
      amountMicros: 10_000_000n,
      category: "promotional",
      source: "promotion",
      effectiveAt: anchor,
      idempotencyKey: "e2e-welcome-credit",
    });

    // A month of usage through the HTTP ingest route: 15M default-model tokens (graduated: past the 10M tier),
    // 1M Sonnet tokens, 5,600 requests (packages of 1,000 past 5,000 free), 130 reviews (100 free).
    const { key } = await createApiKey(db, { name: "e2e", scopes: ["ingest"], actor });
    const events: Record<string, unknown>[] = [];
    const at = (day: number, hour: number) => new Date(p1Start.getTime() + day * dayMs + hour * hourMs + 17 * 60_000);
    for (let day = 1; day <= 25; day++) events.push(event("agent.llm.completion", subject, at(day, 3), { model: "gpt-5", tokens: 600_000, kind: "input" }));
    for (let day = 1; day <= 10; day++) events.push(event("agent.llm.completion", subject, at(day, 5), { model: "sonnet", tokens: 100_000, kind: "output" }));
    for (let index = 0; index < 5_600; index++) events.push(event("agent.request", subject, at(2 + Math.floor(index / 400), index % 24), {}));
    for (let index = 0; index < 130; index++) events.push(event("code_review.completed", subject, at(3 + (index % 20), 9), { repo: `repo-${index % 7}` }));
    await ingest(key, events);
    // Rollups claim only events older than every open transaction (other tests share the server): wait for all.
    let rolledUp = 0;
    for (let round = 0; round < 600 && rolledUp < events.length; round++) {
      const rolled = await rollUpPending(db);
      rolledUp += rolled.events;
      if (rolled.events === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rolledUp).toBe(events.length);

    // Stripe: the trial ends (invoice for P1's fee, charged), then P1 ends: the renewal opens as a draft.
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1Start) + 7200 });
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1End) + 60 });

    // Tally closes P0 and P1 (twice: the second changes nothing).
    const closeClock = fixedClock(new Date(p1End.getTime() + 60_000));
    const closed = await closeDuePeriods(db, { until: p1End }, { clock: closeClock, actor });
    expect(closed.failed).toEqual([]);
    expect(closed.created).toBe(2);
    const again = await closeDuePeriods(db, { until: p1End }, { clock: closeClock, actor });
    expect(again.created).toBe(0);
    const [p1Invoice] = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.periodStart, p1Start)));
    const p1Lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, p1Invoice!.id)).orderBy(invoiceLines.position);
    expect(p1Lines.map((line) => line.kind).sort()).toEqual(["base_fee", "credit", "usage", "usage", "usage", "usage"].sort());
    const tokenLine = p1Lines.find((line) => line.meterKey === "llm_tokens" && line.dimensions.model === "gpt-5");
    expect(tokenLine!.tiers.length).toBe(2);

    // Push under 10% injected 500s (half of them after Stripe executed): retried until done.
    // A client without the SDK's own retries, so the faults reach Tally's code and its reruns.
    emulator.setFaults({ serverErrorRate: 0.1 });
    const bare = createStripeClient({ emulatorPort: emulator.port, emulatorHost: emulator.host, maxNetworkRetries: 0 }).stripe;
    let pushedAll = false;
    let failures = 0;
    for (let attempt = 0; attempt < 40 && !pushedAll; attempt++) {
      const result = await pushDueInvoices(db, bare, {}, { clock: closeClock });
      failures += result.failed.length;
      pushedAll = result.failed.length === 0 && result.pushed.length === 0;
    }
    expect(pushedAll).toBe(true);
    let meterResult = { sent: 0, alreadySent: 0, duplicates: 0, tooOld: 0, meters: [] as string[] };
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        meterResult = await sendMeterEvents(db, bare, { invoiceId: p1Invoice!.id }, { clock: closeClock });
        break;
      } catch {
        failures += 1; // an injected fault: the next call resumes
      }
    }
    expect(failures).toBeGreaterThan(0);
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        expect((await pushInvoiceToStripe(db, bare, { invoiceId: p1Invoice!.id }, { clock: closeClock })).created).toBe(0);
        break;
      } catch (error) {
        if (attempt === 19) throw error;
      }
    }
    emulator.setFaults({ serverErrorRate: 0 });
    expect(meterResult.tooOld).toBe(0);
    expect((await sendMeterEvents(db, stripe, { invoiceId: p1Invoice!.id }, { clock: closeClock })).sent).toBe(0);
    const localMeterEvents = await db.select().from(stripeMeterEventSends);
    expect(emulator.engine.meterEvents.length).toBe(localMeterEvents.length);
    expect(new Set(emulator.engine.meterEvents.map((item) => item.identifier)).size).toBe(localMeterEvents.length);

    // Exactly one Stripe item per pushed line.
    const pushable = p1Lines.filter((line) => line.kind !== "base_fee" && line.amountCents !== 0n);
    const items = await stripeItemsOf(stripe, stripeCustomerId);
    expect(items.map((item) => item.metadata?.tally_invoice_line_id).sort()).toEqual(pushable.map((line) => line.id).sort());

    // Past the draft window: Stripe finalizes and charges the renewal; Tally processes every webhook.
    // Webhooks duplicated, reordered and delayed on the way (reconciliation below must still find the books agree).
    emulator.setFaults({ webhookDuplicateRate: 0.3, webhookReorderRate: 0.3, webhookReorderDelayMs: 150, webhookDelayMs: 20 });
    await stripe.testHelpers.testClocks.advance(testClock.id, { frozen_time: seconds(p1End) + 3 * 3600 });
    await emulator.webhooks.waitForIdle(30_000);
    emulator.setFaults({ webhookDuplicateRate: 0, webhookReorderRate: 0, webhookDelayMs: 0 });
    await drainInbox(db, stripe, systemClock);
    const statuses = await executeRows<{ status: string }>(db, sql`select distinct status from stripe_webhook_events`);
    expect(statuses).toEqual([{ status: "processed" }]);

    const [linked] = await db.select().from(invoices).where(eq(invoices.id, p1Invoice!.id));
    const renewal = await stripe.invoices.retrieve(linked!.stripeInvoiceId!);
    expect(renewal.status).toBe("paid");
    expect(BigInt(renewal.total)).toBe(p1Invoice!.totalCents);
    const stripeLines = renewal.lines.data;
    const byTallyLine = new Map(stripeLines.filter((line) => line.metadata?.tally_invoice_line_id).map((line) => [line.metadata!.tally_invoice_line_id!, BigInt(line.amount)]));
    expect(Object.fromEntries(byTallyLine)).toEqual(Object.fromEntries(pushable.map((line) => [line.id, line.amountCents])));
    const stripeFee = stripeLines.filter((line) => !line.metadata?.tally_invoice_line_id).map((line) => BigInt(line.amount));
    expect(stripeFee).toEqual(p1Lines.filter((line) => line.kind === "base_fee").map((line) => line.amountCents));
    expect(await db.select().from(invoiceDiscrepancies)).toEqual([]);
    const checks = await db.select().from(stripeInvoiceChecks);
    expect(checks.map((check) => [check.discrepancies, check.stripeStatus === "draft"])).toEqual([
      [0, false],
      [0, false],
    ]);

    // Tally's invoices followed Stripe's to paid (the P0 close ↔ the trial-end invoice, P1 ↔ the renewal), at Stripe's payment time.
    const tallyInvoices = await db.select().from(invoices).where(eq(invoices.subscriptionId, subscription.id)).orderBy(invoices.periodStart);
    expect(tallyInvoices.map((row) => [row.kind, row.status, row.paidAt !== null])).toEqual([
      ["period", "paid", true],
      ["period", "paid", true],
    ]);
    expect(tallyInvoices[1]!.paidAt!.getTime()).toBe(renewal.status_transitions.paid_at! * 1000);

    // The payments are in the ledger: the receivable is zero, the trial balance sums to zero.
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
    const [trial] = await executeRows<{ total: string }>(db, sql`select coalesce(sum(amount), 0)::text as total from ledger_entries`);
    expect(trial!.total).toBe("0");
    await expectLedgerConsistent(db);

    // Every webhook delivered again, and the close run again: nothing changes.
    const ledger = await stripeLedgerSnapshot(db);
    const stored = await db.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents);
    for (const row of stored) await replayWebhookEvent(db, actor, closeClock, { eventId: row.id, reason: "redeliver everything" });
    await drainInbox(db, stripe, systemClock);
    expect((await closeDuePeriods(db, { until: p1End }, { clock: closeClock, actor })).created).toBe(0);
    expect(await stripeLedgerSnapshot(db)).toEqual(ledger);
    expect(await accountNet(db, `customer:${customerId}:receivable`)).toBe(0n);
    expect((await db.select({ status: invoices.status }).from(invoices).where(eq(invoices.subscriptionId, subscription.id))).map((row) => row.status)).toEqual(["paid", "paid"]);
    expect(await db.select().from(invoiceDiscrepancies)).toEqual([]);
    expect((await stripeItemsOf(stripe, stripeCustomerId)).length).toBe(pushable.length);
    await expectLedgerConsistent(db);

    // The month reconciles: every pair of books agrees, after 500s, redelivery and reordered webhooks.
    const reconciled = await reconcile(db, fixedClock(new Date(Date.now() + dayMs)), { from: new Date(anchor.getTime() - dayMs), to: new Date(Date.now() + dayMs) });
    expect(reconciled.openByKind).toEqual(Object.fromEntries(Object.keys(reconciled.openByKind).map((kind) => [kind, 0])));
    expect(reconciled.found).toBe(0);

    // The comparison does find a difference: a line Tally says is a cent more is recorded with both values, then cleared.
    const credit = pushable.find((line) => line.kind === "credit")!;
    await db.update(invoiceLines).set({ amountCents: credit.amountCents + 1n }).where(eq(invoiceLines.id, credit.id));
    const differing = await compareStripeInvoice(db, stripe, { invoiceId: p1Invoice!.id }, { clock: closeClock });
    expect(differing.discrepancies.map((item) => [item.field, item.tallyValue, item.stripeValue])).toEqual([[`line:${credit.id}`, credit.amountCents + 1n, credit.amountCents]]);
    expect((await db.select().from(invoiceDiscrepancies)).map((row) => row.field)).toEqual([`line:${credit.id}`]);
    await db.update(invoiceLines).set({ amountCents: credit.amountCents }).where(eq(invoiceLines.id, credit.id));
    expect((await compareStripeInvoice(db, stripe, { invoiceId: p1Invoice!.id }, { clock: closeClock })).matches).toBe(true);
    expect(await db.select().from(invoiceDiscrepancies)).toEqual([]);
  }, 300_000);
});
