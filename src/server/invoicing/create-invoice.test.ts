import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoiceLines, invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { invoiceLine } from "./build-invoice";
import { closeDuePeriods } from "./close-due-periods";
import { createInvoice } from "./create-invoice";
import { createSubscribedCustomer, createTestCatalog, invoicingActor, type TestCatalog } from "./test-fixtures";

const anchor = new Date(Date.UTC(2026, 0, 1));
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  catalog = await createTestCatalog(database.db, { tokenAllowance: null });
});
afterAll(async () => {
  await database.drop();
});

describe("createInvoice", () => {
  it("numbers a caller-built invoice from the period invoices' counter, sequences it within its period, rounds lines once and gives the number back on rollback", async () => {
    const { db } = database;
    const { subscriptionId } = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor });
    const closeAt = new Date(Date.UTC(2026, 1, 1, 1));
    const closed = await closeDuePeriods(db, { until: closeAt, subscriptionIds: [subscriptionId] }, { clock: fixedClock(closeAt), actor: invoicingActor });
    const [periodInvoice] = await db.select().from(invoices).where(eq(invoices.subscriptionId, subscriptionId));
    expect(closed.created).toBe(1);
    const periodNumber = Number(periodInvoice!.number!.slice(4));

    const at = new Date(Date.UTC(2026, 1, 10));
    const period = { start: at, end: new Date(Date.UTC(2026, 2, 1)) };
    const lines = [
      invoiceLine("proration", "Unused time on 3 × Basic", period, { productKey: "basic", quantity: "3", amountMicros: -40_650_000n }),
      invoiceLine("proration", "Remaining time on 3 × Pro", period, { productKey: "pro", quantity: "3", amountMicros: 101_614_999n }),
    ];
    const clock = fixedClock(at);
    // Rolled back: the number is given back.
    await expect(
      db.transaction(async (tx) => {
        await createInvoice(tx, { subscriptionId, kind: "proration", period, lines, ledgerTransactionIds: [] }, { clock, actor: invoicingActor });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    const first = await db.transaction((tx) => createInvoice(tx, { subscriptionId, kind: "proration", period, lines, ledgerTransactionIds: ["00000000-0000-4000-8000-000000000001"] }, { clock, actor: invoicingActor }));
    const second = await db.transaction((tx) => createInvoice(tx, { subscriptionId, kind: "proration", period, lines: lines.slice(1), ledgerTransactionIds: [] }, { clock, actor: invoicingActor }));
    expect(first.number).toBe(`TLY-${String(periodNumber + 1).padStart(6, "0")}`);
    expect(second.number).toBe(`TLY-${String(periodNumber + 2).padStart(6, "0")}`);
    expect([first.sequence, second.sequence]).toEqual([1, 2]);

    const [row] = await db.select().from(invoices).where(eq(invoices.id, first.invoiceId));
    // 101.614999 rounds half-even to 101.61 once; totals are sums of the lines' cents.
    expect(row).toMatchObject({ kind: "proration", status: "finalized", currency: "usd", subtotalCents: 6096n, totalCents: 6096n, totalMicros: 60_964_999n, roundingMicros: 4_999n, ledgerTransactionIds: ["00000000-0000-4000-8000-000000000001"] });
    const stored = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, first.invoiceId)).orderBy(invoiceLines.position);
    expect(stored.map((line) => [line.position, line.kind, line.productKey, line.amountCents])).toEqual([
      [1, "proration", "basic", -4065n],
      [2, "proration", "pro", 10161n],
    ]);
    await expect(createInvoice(db, { subscriptionId, kind: "proration", period, lines: [], ledgerTransactionIds: [] }, { clock, actor: invoicingActor })).rejects.toMatchObject({ code: "invoice_without_lines" });
  });
});
