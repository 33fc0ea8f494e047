import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoices, plans, planVersions, type UsagePrice } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeDuePeriods } from "./close-due-periods";
import { listSimulatedSubscriptions, simulatePlanVersion } from "./simulate-plan-version";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "./test-fixtures";

const jan = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour));
const feb = (day: number, hour = 0) => new Date(Date.UTC(2026, 1, day, hour));

let database: TestDatabase;
let catalog: TestCatalog;
let proposedVersionId: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  catalog = await createTestCatalog(database.db);
  // Version 2: the seat fee doubles ($10 → $20) and request packages cost $2 instead of $1.
  const [current] = await database.db.select().from(planVersions).where(eq(planVersions.id, catalog.planVersionId));
  const usagePrices: UsagePrice[] = current!.usagePrices.map((usagePrice) =>
    usagePrice.meterKey === catalog.meterKeys.requests ? { meterKey: usagePrice.meterKey, price: { model: "package", packageSize: "100", packagePrice: "2", includedQuantity: "0" } } : usagePrice,
  );
  const [proposed] = await database.db
    .insert(planVersions)
    .values({ ...current!, id: undefined, version: 2, status: "draft", publishedAt: null, baseFeePerSeatMicros: 20_000_000n, usagePrices })
    .returning();
  proposedVersionId = proposed!.id;
});
afterAll(async () => {
  await database.drop();
});

describe("simulatePlanVersion", () => {
  it("charges under the current version exactly what closing the period bills, and shows what the proposed one would change", async () => {
    const { eventTypes: types } = catalog;
    const heavy = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: jan(1), seats: 2 });
    const light = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: jan(1) });
    const events = [
      ...Array.from({ length: 250 }, (_, index) => usageEvent(types.request, heavy.externalId, jan(10, index % 24), {})),
      usageEvent(types.tokens, heavy.externalId, jan(11), { model: "sonnet", tokens: 1600 }),
      ...Array.from({ length: 40 }, (_, index) => usageEvent(types.request, light.externalId, jan(12, index % 24), {})),
    ];
    await ingestAndRollUp(database.db, events, fixedClock(feb(1, 1)));
    const now = feb(10);
    const batch = await listSimulatedSubscriptions(database.db, { planVersionId: catalog.planVersionId, afterSubscriptionId: null, limit: 100 });
    expect(batch.map((row) => row.subscriptionId).sort()).toEqual([heavy.subscriptionId, light.subscriptionId].sort());

    const same = await simulatePlanVersion(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId: catalog.planVersionId, subscriptions: batch }, { now });
    expect(same).toMatchObject({ subscriptions: 2, differenceMicros: 0n, counts: { unchanged: 2, increase: 0, decrease: 0 } });

    const result = await simulatePlanVersion(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, subscriptions: batch }, { now });
    // Heavy: 2 seats × $10 more, and 3 packages of requests × $1 more = $23; light: $10 + 1 package × $1 = $11.
    expect(result).toMatchObject({ currency: "usd", subscriptions: 2, differenceMicros: 34_000_000n, counts: { increase: 2, decrease: 0, unchanged: 0 } });
    const byExternalId = (left: { externalId: string }, right: { externalId: string }) => (left.externalId < right.externalId ? -1 : 1);
    expect([...result.customers].sort(byExternalId).map((change) => [change.externalId, change.differenceMicros, change.period.start])).toEqual(
      [
        [heavy.externalId, 23_000_000n, jan(1)],
        [light.externalId, 11_000_000n, jan(1)],
      ].sort((left, right) => (left[0]! < right[0]! ? -1 : 1)),
    );

    // The current side is the invoice the close writes, to the micro-unit.
    await closeDuePeriods(database.db, { until: feb(1, 1), subscriptionIds: [heavy.subscriptionId, light.subscriptionId] }, { clock: fixedClock(feb(1, 1)), actor: invoicingActor });
    const closed = await database.db.select({ subscriptionId: invoices.subscriptionId, totalMicros: invoices.totalMicros }).from(invoices);
    expect(closed.reduce((sum, invoice) => sum + invoice.totalMicros, 0n)).toBe(result.currentMicros);
    // Already invoiced or not, the simulation reads the same period the same way.
    expect((await simulatePlanVersion(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, subscriptions: batch }, { now })).currentMicros).toBe(result.currentMicros);
  });

  it("refuses to compare versions billed in different currencies or intervals", async () => {
    const [plan] = await database.db.insert(plans).values({ key: `yearly_${catalog.suffix}`, name: "Yearly" }).returning();
    const [yearly] = await database.db.insert(planVersions).values({ planId: plan!.id, version: 1, status: "draft", currency: "usd", billingInterval: "year" }).returning();
    await expect(simulatePlanVersion(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId: yearly!.id, subscriptions: [] }, { now: feb(10) })).rejects.toMatchObject({
      code: "simulation_terms_incompatible",
    });
  });
});
