import { and, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingSettings, invoiceLines, invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { billThresholds } from "./bill-thresholds";
import { closeDuePeriods } from "./close-due-periods";
import { previewUnbilledUsage } from "./preview-unbilled-usage";
import { accountNet, createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "./test-fixtures";

const anchor = new Date(Date.UTC(2026, 0, 1));
const closeAt = new Date(Date.UTC(2026, 1, 1, 1));
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  catalog = await createTestCatalog(database.db, { tokenAllowance: "500" });
  await database.db.insert(billingSettings).values({ key: catalog.planVersionId, thresholdMicros: 1n, updatedBy: "test" });
});
afterAll(async () => {
  await database.drop();
});

const usageArb = fc.array(
  fc.record({ model: fc.constantFrom("opus", "sonnet", "haiku"), tokens: fc.integer({ min: 1, max: 3_000 }), hour: fc.integer({ min: 0, max: 30 * 24 - 1 }) }),
  { minLength: 1, maxLength: 12 },
);

async function usageMicros(subscriptionId: string): Promise<bigint> {
  const rows = await database.db
    .select({ amount: invoiceLines.amountMicros, kind: invoiceLines.kind })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoices.subscriptionId, subscriptionId), inArray(invoiceLines.kind, ["usage", "late_usage"])));
  return rows.reduce((sum, row) => sum + row.amount, 0n);
}

describe("threshold billing", () => {
  it("threshold invoices plus the period-end invoice equal one whole-period invoice (random usage and cut-offs)", async () => {
    await fc.assert(
      fc.asyncProperty(usageArb, fc.array(fc.integer({ min: 1, max: 30 * 24 - 1 }), { minLength: 1, maxLength: 3 }), async (usage, rawCuts) => {
        const split = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
        const whole = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
        const eventsFor = (subject: string, from: number, to: number) =>
          usage.filter((item) => item.hour >= from && item.hour < to).map((item) => usageEvent(catalog.eventTypes.tokens, subject, new Date(anchor.getTime() + item.hour * 3_600_000 + 60_000), { model: item.model, tokens: item.tokens }));
        const cuts = [...new Set(rawCuts)].sort((a, b) => a - b);
        let from = 0;
        for (const cut of cuts) {
          const at = new Date(anchor.getTime() + cut * 3_600_000);
          await ingestAndRollUp(database.db, eventsFor(split.externalId, from, cut), fixedClock(at));
          await billThresholds(database.db, { subscriptionIds: [split.subscriptionId] }, { clock: fixedClock(at), actor: invoicingActor });
          from = cut;
        }
        await ingestAndRollUp(database.db, [...eventsFor(split.externalId, from, 10_000), ...eventsFor(whole.externalId, 0, 10_000)], fixedClock(closeAt));
        await closeDuePeriods(database.db, { until: closeAt, subscriptionIds: [split.subscriptionId, whole.subscriptionId] }, { clock: fixedClock(closeAt), actor: invoicingActor });
        expect(await usageMicros(split.subscriptionId)).toBe(await usageMicros(whole.subscriptionId));
        const splitInvoices = await database.db.select().from(invoices).where(eq(invoices.subscriptionId, split.subscriptionId));
        expect(splitInvoices.filter((invoice) => invoice.kind === "period")).toHaveLength(1);
        // Every invoice's receivable is in whole cents, whatever the split.
        expect(await accountNet(database.db, ledgerAccountCodes.customerReceivable(split.customerId))).toBe(splitInvoices.reduce((sum, invoice) => sum + invoice.totalCents, 0n) * 10_000n);
      }),
      { numRuns: 8 },
    );
    // The property is only worth something if splits happened.
    expect((await database.db.select().from(invoices).where(eq(invoices.kind, "threshold"))).length).toBeGreaterThan(0);
    await expectLedgerConsistent(database.db);
  }, 120_000);

  it("invoices once the threshold is passed, and not below it; the preview shows what is still unbilled", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
    const at = new Date(Date.UTC(2026, 0, 10, 12, 30));
    // 100 requests → one package ($1): above the 1-micro threshold.
    await ingestAndRollUp(database.db, Array.from({ length: 100 }, (_, index) => usageEvent(catalog.eventTypes.request, customer.externalId, new Date(Date.UTC(2026, 0, 5, index % 24)), {})), fixedClock(at));
    const before = await previewUnbilledUsage(database.db, { customerId: customer.customerId }, { clock: fixedClock(at) });
    expect(before?.unbilledMicros).toBe(1_000_000n);
    const first = await billThresholds(database.db, { subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(at), actor: invoicingActor });
    expect(first).toMatchObject({ invoicesCreated: 1 });
    const again = await billThresholds(database.db, { subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(at), actor: invoicingActor });
    expect(again).toMatchObject({ invoicesCreated: 0, belowThreshold: 1 });
    const [invoice] = await database.db.select().from(invoices).where(eq(invoices.subscriptionId, customer.subscriptionId));
    expect(invoice).toMatchObject({ kind: "threshold", sequence: 1, totalMicros: 1_000_000n, periodEnd: new Date(Date.UTC(2026, 0, 10, 12)) });
    const after = await previewUnbilledUsage(database.db, { customerId: customer.customerId }, { clock: fixedClock(at) });
    expect(after?.unbilledMicros).toBe(0n);
    await expectLedgerConsistent(database.db);
  });
});
