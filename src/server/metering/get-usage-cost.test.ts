import { and, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoiceLines, invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "@/server/invoicing/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getUsageCost } from "./get-usage-cost";

const hourMs = 3_600_000;
const at = (month: number, date: number, hour = 0) => new Date(Date.UTC(2026, month - 1, date, hour));
// Periods start at 14:00 UTC, so days and periods do not line up.
const anchor = at(1, 1, 14);
const periodEnds = [at(2, 1, 14), at(3, 1, 14)];
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  catalog = await createTestCatalog(database.db);
});
afterAll(async () => {
  await database.drop();
});

async function invoicedUsageMicros(subscriptionId: string, meterKey: string): Promise<bigint> {
  const rows = await database.db
    .select({ amount: invoiceLines.amountMicros })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoices.subscriptionId, subscriptionId), eq(invoiceLines.kind, "usage"), inArray(invoiceLines.meterKey, [meterKey])));
  return rows.reduce((sum, row) => sum + row.amount, 0n);
}

describe("getUsageCost", () => {
  it("values each day at the customer's prices: free inside the allowance, tiers continuing, per model", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor });
    await ingestAndRollUp(
      db,
      [
        // 600 sonnet on Jan 2: inside the 1,000-token allowance, free.
        usageEvent(catalog.eventTypes.tokens, customer.externalId, at(1, 2, 9), { model: "sonnet", tokens: 600 }),
        // 900 sonnet on Jan 3: 400 free, 500 on the first tier at 0.01 = 5.
        usageEvent(catalog.eventTypes.tokens, customer.externalId, at(1, 3, 9), { model: "sonnet", tokens: 900 }),
        // 10 opus on Jan 3 (per unit 0.02 = 0.2); 1,000 sonnet on Jan 4: 500 more at 0.01, 500 at 0.005 = 7.5.
        usageEvent(catalog.eventTypes.tokens, customer.externalId, at(1, 3, 10), { model: "opus", tokens: 10 }),
        usageEvent(catalog.eventTypes.tokens, customer.externalId, at(1, 4, 9), { model: "sonnet", tokens: 1000 }),
      ],
      fixedClock(at(1, 5)),
    );
    const cost = await getUsageCost(db, { customerId: customer.customerId, meterKey: catalog.meterKeys.tokens, from: at(1, 1), to: at(1, 6) });
    if (!cost.priced) throw new Error(cost.reason);
    expect(cost.currency).toBe("usd");
    expect(cost.days.map((day) => [day.day, day.costMicros])).toEqual([
      ["2026-01-01", 0n],
      ["2026-01-02", 0n],
      ["2026-01-03", 5_200_000n],
      ["2026-01-04", 7_500_000n],
      ["2026-01-05", 0n],
    ]);
    expect(cost.days[2]!.byGroup).toEqual({ sonnet: 5_000_000n, opus: 200_000n });
    expect(cost.totalMicros).toBe(12_700_000n);
  });

  it("sums over whole billing periods to exactly what the invoices charge for the meter (any usage, any hours)", async () => {
    const { db } = database;
    const usage = fc.array(
      fc.record({ hour: fc.integer({ min: 0, max: 58 * 24 - 1 }), model: fc.constantFrom("opus", "sonnet", "haiku"), tokens: fc.integer({ min: 1, max: 2_500 }) }),
      { maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(usage, async (events) => {
        const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor });
        // Each event sent an hour after it happened (the ingest refuses events beyond its lateness window).
        for (const each of events) {
          const time = new Date(anchor.getTime() + each.hour * hourMs + 60_000);
          await ingestAndRollUp(db, [usageEvent(catalog.eventTypes.tokens, customer.externalId, time, { model: each.model, tokens: each.tokens })], fixedClock(new Date(time.getTime() + hourMs)));
        }
        const clock = fixedClock(new Date(periodEnds[1]!.getTime() + hourMs));
        await closeDuePeriods(db, { until: clock.now(), subscriptionIds: [customer.subscriptionId] }, { clock, actor: invoicingActor });
        const cost = await getUsageCost(db, { customerId: customer.customerId, meterKey: catalog.meterKeys.tokens, from: anchor, to: periodEnds[1]! });
        if (!cost.priced) throw new Error(cost.reason);
        expect(cost.totalMicros).toBe(await invoicedUsageMicros(customer.subscriptionId, catalog.meterKeys.tokens));
        for (const day of cost.days) expect(Object.values(day.byGroup).reduce((sum, value) => sum + value, 0n)).toBe(day.costMicros);
      }),
      { numRuns: 8 },
    );
  });

  it("says why when there is nothing to value, and refuses a reversed or over-long range", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor });
    const unpriced = await getUsageCost(db, { customerId: customer.customerId, meterKey: "no_such_meter", from: at(1, 1), to: at(1, 2) });
    expect(unpriced).toMatchObject({ priced: false });
    await expect(getUsageCost(db, { customerId: customer.customerId, meterKey: catalog.meterKeys.tokens, from: at(1, 2), to: at(1, 1) })).rejects.toMatchObject({ code: "parameter_invalid" });
    await expect(getUsageCost(db, { customerId: customer.customerId, meterKey: catalog.meterKeys.tokens, from: at(1, 1), to: at(6, 1) })).rejects.toMatchObject({ code: "parameter_invalid" });
  });
});
