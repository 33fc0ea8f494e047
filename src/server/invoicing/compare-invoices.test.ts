import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeDuePeriods } from "./close-due-periods";
import { compareInvoices } from "./compare-invoices";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "./test-fixtures";

const day = (month: number, date: number, hour = 0) => new Date(Date.UTC(2026, month - 1, date, hour));
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  catalog = await createTestCatalog(database.db, { tokenAllowance: null });
});
afterAll(async () => {
  await database.drop();
});

async function twoMonths() {
  const { db } = database;
  const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor: day(1, 1) });
  // Opus (per unit $0.02): 500 tokens in January, 800 in February; 3 then 5 requests (package of 100 at $1: one package each).
  await ingestAndRollUp(
    db,
    [
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(1, 10), { model: "opus", tokens: 500 }),
      ...[1, 2, 3].map((hour) => usageEvent(catalog.eventTypes.request, customer.externalId, day(1, 11, hour), {})),
    ],
    fixedClock(day(1, 20)),
  );
  await closeDuePeriods(db, { until: day(2, 1, 1), subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(day(2, 1, 1)), actor: invoicingActor });
  await ingestAndRollUp(
    db,
    [
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(2, 10), { model: "opus", tokens: 800 }),
      ...[1, 2, 3, 4, 5].map((hour) => usageEvent(catalog.eventTypes.request, customer.externalId, day(2, 11, hour), {})),
    ],
    fixedClock(day(2, 20)),
  );
  await closeDuePeriods(db, { until: day(3, 1, 1), subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(day(3, 1, 1)), actor: invoicingActor });
  const [january, february] = await db.select().from(invoices).where(eq(invoices.subscriptionId, customer.subscriptionId)).orderBy(asc(invoices.periodStart));
  return { customer, january: january!, february: february! };
}

describe("compareInvoices", () => {
  it("orders the two invoices by period, matches lines and attributes the change to quantity and price exactly", async () => {
    const { january, february } = await twoMonths();
    const comparison = await compareInvoices(database.db, { a: february.id, b: january.id });
    expect(comparison.before.id).toBe(january.id);
    expect(comparison.after.id).toBe(february.id);
    expect(comparison.planChanged).toBe(false);
    expect(comparison.attribution.deltaMicros).toBe(february.totalMicros - january.totalMicros);
    const opus = comparison.attribution.rows.find((row) => row.kind === "usage" && row.dimensions.model === "opus")!;
    expect(opus).toMatchObject({ previousQuantity: "500", currentQuantity: "800", previousMicros: 10_000_000n, currentMicros: 16_000_000n, quantityEffectMicros: 6_000_000n, priceEffectMicros: 0n });
    // Requests: 3 → 5 is still one package of $1: +2 requests at $1/3 each is +$0.666667 of quantity effect, and the lower price per request takes it back.
    const requests = comparison.attribution.rows.find((row) => row.meterKey === catalog.meterKeys.requests)!;
    expect(requests.deltaMicros).toBe(0n);
    expect(requests.quantityEffectMicros + requests.priceEffectMicros).toBe(0n);
    expect(requests.quantityEffectMicros).toBe(666_667n);
  });

  it("refuses the same invoice twice and invoices of two customers, with codes", async () => {
    const { db } = database;
    const [first, second] = await Promise.all([1, 2].map(() => createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor: day(1, 1) })));
    await closeDuePeriods(db, { until: day(2, 1, 1), subscriptionIds: [first!.subscriptionId, second!.subscriptionId] }, { clock: fixedClock(day(2, 1, 1)), actor: invoicingActor });
    const [mine] = await db.select().from(invoices).where(eq(invoices.subscriptionId, first!.subscriptionId));
    const [theirs] = await db.select().from(invoices).where(eq(invoices.subscriptionId, second!.subscriptionId));
    await expect(compareInvoices(db, { a: mine!.id, b: mine!.id })).rejects.toMatchObject({ code: "same_invoice" });
    await expect(compareInvoices(db, { a: mine!.id, b: theirs!.id })).rejects.toMatchObject({ code: "invoices_of_different_customers" });
    await expect(compareInvoices(db, { a: mine!.id, b: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "invoice_not_found" });
  });
});
