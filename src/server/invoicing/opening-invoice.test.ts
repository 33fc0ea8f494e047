import { and, eq, sql } from "drizzle-orm";
import { executeRows } from "@/db/execute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoiceLines, invoices, subscriptions } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeDuePeriods } from "./close-due-periods";
import { createOpeningInvoice } from "./create-opening-invoice";
import { accountNet, createSubscribedCustomer, createTestCatalog, invoicingActor, type TestCatalog } from "./test-fixtures";

const anchor = new Date(Date.UTC(2026, 0, 1));
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  // 12.345675 per seat: 3 seats = 37.037025 → 3704 cents (half-even), 0.25 cent to `rounding`.
  catalog = await createTestCatalog(database.db, { tokenAllowance: null, baseFeePerSeatMicros: 12_345_675n });
});
afterAll(async () => {
  await database.drop();
});

describe("opening invoices after a trial (period close's hook)", () => {
  it("bills the fee of the period the trial ends in once, rounded like every invoice; a trial ending on a period boundary needs none", async () => {
    const { db } = database;
    const midTrial = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor, seats: 3, trialEnd: new Date(Date.UTC(2026, 0, 15, 12)) });
    const aligned = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor, seats: 3, trialEnd: new Date(Date.UTC(2026, 1, 1)) });
    const ids = [midTrial.subscriptionId, aligned.subscriptionId];

    // Still in the trial: nothing.
    const during = new Date(Date.UTC(2026, 0, 10));
    expect(await createOpeningInvoice(db, { subscriptionId: midTrial.subscriptionId }, { clock: fixedClock(during), actor: invoicingActor })).toEqual({ status: "not_needed", reason: "trialing" });
    expect((await closeDuePeriods(db, { until: during, subscriptionIds: ids }, { clock: fixedClock(during), actor: invoicingActor })).opened).toBe(0);

    // The mid-period trial has ended: its opening invoice bills January (the period the trial ends in), which no close bills in advance.
    const afterTrial = new Date(Date.UTC(2026, 0, 15, 13));
    const first = await closeDuePeriods(db, { until: afterTrial, subscriptionIds: ids }, { clock: fixedClock(afterTrial), actor: invoicingActor });
    expect(first).toMatchObject({ opened: 1, created: 0, failed: [] });
    const [opening] = await db.select().from(invoices).where(and(eq(invoices.subscriptionId, midTrial.subscriptionId), eq(invoices.kind, "opening")));
    expect(opening).toMatchObject({ periodStart: anchor, periodEnd: new Date(Date.UTC(2026, 1, 1)), totalMicros: 37_037_025n, totalCents: 3704n, roundingMicros: -2_975n, status: "finalized" });
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, opening!.id));
    expect(lines.map((line) => [line.kind, line.quantity, line.unitPrice, line.amountCents])).toEqual([["base_fee", "3", "12.345675", 3704n]]);
    expect(await accountNet(db, `customer:${midTrial.customerId}:receivable`)).toBe(37_040_000n);

    // Idempotent, also under the close: again changes nothing.
    expect((await closeDuePeriods(db, { until: afterTrial, subscriptionIds: ids }, { clock: fixedClock(afterTrial), actor: invoicingActor })).opened).toBe(0);
    expect(await createOpeningInvoice(db, { subscriptionId: midTrial.subscriptionId }, { clock: fixedClock(afterTrial), actor: invoicingActor })).toEqual({ status: "exists", invoiceId: opening!.id });

    // The aligned trial: January's close bills February's fee in advance, so no opening invoice; the mid-trial one's January close bills February too.
    const monthEnd = new Date(Date.UTC(2026, 1, 1, 1));
    const closed = await closeDuePeriods(db, { until: monthEnd, subscriptionIds: ids }, { clock: fixedClock(monthEnd), actor: invoicingActor });
    expect(closed).toMatchObject({ opened: 0, created: 2, failed: [] });
    expect(await createOpeningInvoice(db, { subscriptionId: aligned.subscriptionId }, { clock: fixedClock(monthEnd), actor: invoicingActor })).toEqual({ status: "not_needed", reason: "billed_by_period_close" });
    const kinds = await db.select({ kind: invoices.kind, subscriptionId: invoices.subscriptionId, total: invoices.totalCents }).from(invoices).orderBy(invoices.issuedAt);
    expect(kinds.filter((row) => row.subscriptionId === aligned.subscriptionId).map((row) => [row.kind, row.total])).toEqual([["period", 3704n]]);
    expect(kinds.filter((row) => row.subscriptionId === midTrial.subscriptionId).map((row) => [row.kind, row.total])).toEqual([
      ["opening", 3704n],
      ["period", 3704n],
    ]);
    await expectLedgerConsistent(db);
  });

  it("moves a subscription whose trial ended from trialing to active once, announced as subscription.updated, also when no opening invoice is needed", async () => {
    const { db } = database;
    const midTrial = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor, trialEnd: new Date(Date.UTC(2026, 0, 20)) });
    const aligned = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor, trialEnd: new Date(Date.UTC(2026, 1, 1)) });
    const ids = [midTrial.subscriptionId, aligned.subscriptionId];
    await db.update(subscriptions).set({ status: "trialing" }).where(sql`${subscriptions.id} = any(${`{${ids.join(",")}}`}::uuid[])`);
    const statuses = async () => (await db.select({ id: subscriptions.id, status: subscriptions.status }).from(subscriptions).where(sql`${subscriptions.id} = any(${`{${ids.join(",")}}`}::uuid[])`)).map((row) => [row.id === midTrial.subscriptionId ? "mid" : "aligned", row.status]).sort();
    const events = async () =>
      (await executeRows<{ body: string }>(db, sql`select body from webhook_events where type = 'subscription.updated' and customer_id in (${midTrial.customerId}::uuid, ${aligned.customerId}::uuid) order by sequence`)).map(
        (row) => (JSON.parse(row.body) as { data: { object: { status: string }; previous_attributes: { status?: string } } }).data,
      );

    const during = new Date(Date.UTC(2026, 0, 19));
    await closeDuePeriods(db, { until: during, subscriptionIds: ids }, { clock: fixedClock(during), actor: invoicingActor });
    expect(await statuses()).toEqual([["aligned", "trialing"], ["mid", "trialing"]]);
    expect(await events()).toEqual([]);

    const afterMid = new Date(Date.UTC(2026, 0, 20, 1));
    await closeDuePeriods(db, { until: afterMid, subscriptionIds: ids }, { clock: fixedClock(afterMid), actor: invoicingActor });
    expect(await statuses()).toEqual([["aligned", "trialing"], ["mid", "active"]]);
    expect(await events()).toEqual([expect.objectContaining({ object: expect.objectContaining({ status: "active" }), previous_attributes: expect.objectContaining({ status: "trialing" }) })]);

    const monthEnd = new Date(Date.UTC(2026, 1, 1, 1));
    for (let run = 0; run < 2; run++) await closeDuePeriods(db, { until: monthEnd, subscriptionIds: ids }, { clock: fixedClock(monthEnd), actor: invoicingActor });
    expect(await statuses()).toEqual([["aligned", "active"], ["mid", "active"]]);
    expect(await events()).toHaveLength(2);
  });
});
