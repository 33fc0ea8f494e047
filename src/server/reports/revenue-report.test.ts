import { eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invoiceLines, invoices, plans as catalogPlans, products as catalogProducts } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "@/server/invoicing/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { runReport } from "./registry";
import type { Report } from "./report-model";

/**
 * The revenue report against the invoices it comes from: every invoice closed through real
 * invoicing, its lines folded here by plan and product into subscription fees, usage and overage
 * (usage lines that had an included allowance), must equal the report's rows, and a plan filter
 * must keep only that plan's revenue.
 */
const jan = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour));

/** Two plans: tokens with an included allowance (so usage past it is overage), and without one. */
async function createCatalogs(database: TestDatabase): Promise<readonly [TestCatalog, TestCatalog]> {
  const withAllowance = await createTestCatalog(database.db, { tokenAllowance: "1000" });
  const withoutAllowance = await createTestCatalog(database.db, { tokenAllowance: null, baseFeePerSeatMicros: 25_000_000n });
  // Distinct names, so the report's labels tell the two catalogs apart.
  for (const catalog of [withAllowance, withoutAllowance]) {
    await database.db.update(catalogPlans).set({ name: `Plan ${catalog.suffix}` }).where(eq(catalogPlans.key, catalog.planKey));
    for (const productKey of Object.values(catalog.productKeys)) {
      await database.db.update(catalogProducts).set({ name: `Product ${productKey}` }).where(eq(catalogProducts.key, productKey));
    }
  }
  return [withAllowance, withoutAllowance];
}

type Customer = { plan: 0 | 1; seats: number; tokens: { model: string; tokens: number; day: number }[]; requests: number };

const customerArbitrary: fc.Arbitrary<Customer> = fc.record({
  plan: fc.constantFrom(0 as const, 1 as const),
  seats: fc.integer({ min: 1, max: 4 }),
  tokens: fc.array(fc.record({ model: fc.constantFrom("opus", "sonnet", "haiku"), tokens: fc.integer({ min: 1, max: 1_500 }), day: fc.integer({ min: 1, max: 28 }) }), { maxLength: 5 }),
  requests: fc.integer({ min: 0, max: 40 }),
});

type Key = string;
const keyOf = (plan: string, product: string) => `${plan} | ${product}`;

/** The report's line cells summed over months, by plan and product label. */
function reportedAmounts(report: Report): Map<Key, { subscription: bigint; usage: bigint; overage: bigint }> {
  const result = new Map<Key, { subscription: bigint; usage: bigint; overage: bigint }>();
  for (const row of report.rows) {
    if (row.subtotal) continue;
    const key = keyOf(String(row.cells.plan), String(row.cells.product));
    const amounts = result.get(key) ?? { subscription: 0n, usage: 0n, overage: 0n };
    amounts.subscription += BigInt(row.cells.subscription as bigint);
    amounts.usage += BigInt(row.cells.usage as bigint);
    amounts.overage += BigInt(row.cells.overage as bigint);
    result.set(key, amounts);
  }
  for (const [key, amounts] of result) if (amounts.subscription === 0n && amounts.usage === 0n && amounts.overage === 0n) result.delete(key);
  return result;
}

describe("revenue report", () => {
  it("splits every closed invoice's lines into subscription, usage and overage by plan and product, and filters by plan", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(customerArbitrary, { minLength: 1, maxLength: 4 }), async (planted) => {
        // The ledger is append-only: each case gets its own database.
        const database = await createTestDatabase({ poolMax: 4 });
        try {
          const catalogs = await createCatalogs(database);
          const [withAllowance] = catalogs;
          const subscriptionIds: string[] = [];
          const events: Record<string, unknown>[] = [];
          for (const customer of planted) {
            const catalog = catalogs[customer.plan];
            const created = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: jan(1), seats: customer.seats });
            subscriptionIds.push(created.subscriptionId);
            for (const use of customer.tokens) events.push(usageEvent(catalog.eventTypes.tokens, created.externalId, jan(use.day, 3), { model: use.model, tokens: use.tokens }));
            for (let index = 0; index < customer.requests; index++) events.push(usageEvent(catalog.eventTypes.request, created.externalId, jan(2 + (index % 20), index % 24), {}));
          }
          const closeAt = new Date(Date.UTC(2026, 1, 1, 1));
          await ingestAndRollUp(database.db, events, fixedClock(closeAt));
          const closed = await closeDuePeriods(database.db, { until: closeAt, subscriptionIds }, { clock: fixedClock(closeAt), actor: invoicingActor });
          expect(closed.failed).toEqual([]);

          // The oracle: the lines of the invoices just closed.
          const closedInvoices = await database.db.select().from(invoices).where(inArray(invoices.subscriptionId, subscriptionIds));
          const lines = closedInvoices.length === 0 ? [] : await database.db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, closedInvoices.map((invoice) => invoice.id)));
          const planOfInvoice = new Map(closedInvoices.map((invoice) => [invoice.id, catalogs.find((catalog) => catalog.planVersionId === invoice.planVersionId)!]));
          const expected = new Map<Key, { subscription: bigint; usage: bigint; overage: bigint }>();
          const add = (key: Key, column: "subscription" | "usage" | "overage", amount: bigint) => {
            const amounts = expected.get(key) ?? { subscription: 0n, usage: 0n, overage: 0n };
            amounts[column] += amount;
            expected.set(key, amounts);
          };
          for (const line of lines) {
            const catalog = planOfInvoice.get(line.invoiceId)!;
            if (line.kind === "base_fee" || line.kind === "proration") add(keyOf(`Plan ${catalog.suffix}`, "Subscription fees"), "subscription", line.amountMicros);
            else if (line.kind === "usage" || line.kind === "late_usage") {
              const overage = Number(line.allowanceQuantity ?? "0") > 0;
              add(keyOf(`Plan ${catalog.suffix}`, `Product ${line.productKey}`), overage ? "overage" : "usage", line.amountMicros);
            }
          }
          for (const [key, amounts] of expected) if (amounts.subscription === 0n && amounts.usage === 0n && amounts.overage === 0n) expected.delete(key);

          const report = await runReport(database.db, "revenue", { from: "2026-01", to: "2026-03" });
          expect(reportedAmounts(report)).toEqual(expected);
          for (const line of report.reconciliation) expect(line.report).toBe(line.ledger);

          const onlyFirst = await runReport(database.db, "revenue", { from: "2026-01", to: "2026-03", planKey: withAllowance.planKey });
          expect(reportedAmounts(onlyFirst)).toEqual(new Map([...expected].filter(([key]) => key.startsWith(`Plan ${withAllowance.suffix} |`))));
        } finally {
          await database.drop();
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});
