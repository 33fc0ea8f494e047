import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoiceLines, invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeDuePeriods } from "./close-due-periods";
import { explainInvoiceLine, listInvoiceLineEvents } from "./explain-invoice-line";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "./test-fixtures";

const day = (month: number, date: number, hour = 0) => new Date(Date.UTC(2026, month - 1, date, hour));
let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase();
  catalog = await createTestCatalog(database.db);
});
afterAll(async () => {
  await database.drop();
});

describe("explainInvoiceLine", () => {
  it("shows the rollups by day, allowance, tiers, rounding and pages through exactly the line's events", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor: day(1, 1) });
    const other = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor: day(1, 1) });
    // Sonnet (graduated default price): 900 + 700 + 333 = 1,933 tokens on three days; opus alongside, and another customer's sonnet.
    const sonnet = [
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(1, 3, 10), { model: "sonnet", tokens: 900 }),
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(1, 3, 11), { model: "sonnet", tokens: 700 }),
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(1, 17, 23), { model: "sonnet", tokens: 333 }),
    ];
    const noise = [
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(1, 5), { model: "opus", tokens: 50 }),
      usageEvent(catalog.eventTypes.tokens, other.externalId, day(1, 3, 10), { model: "sonnet", tokens: 10 }),
      usageEvent(catalog.eventTypes.tokens, customer.externalId, day(2, 2), { model: "sonnet", tokens: 10 }),
    ];
    await ingestAndRollUp(db, [...sonnet, ...noise], fixedClock(day(2, 2, 1)));
    await closeDuePeriods(db, { until: day(2, 1, 1), subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(day(2, 1, 1)), actor: invoicingActor });
    const [invoice] = await db.select().from(invoices).where(eq(invoices.subscriptionId, customer.subscriptionId));
    const lines = await db.select().from(invoiceLines).where(and(eq(invoiceLines.invoiceId, invoice!.id), eq(invoiceLines.kind, "usage")));
    const sonnetLine = lines.find((line) => line.meterKey === catalog.meterKeys.tokens && line.dimensions.model === "sonnet")!;

    const explained = await explainInvoiceLine(db, { invoiceId: invoice!.id, position: sonnetLine.position });
    expect(explained.days).toHaveLength(31);
    expect(explained.days.filter((each) => each.value !== "0").map((each) => [each.day.toISOString().slice(0, 10), each.value])).toEqual([
      ["2026-01-03", "1600"],
      ["2026-01-17", "333"],
    ]);
    expect(explained.rollupQuantity).toBe("1933");
    expect(explained.eventCount).toBe(3);
    expect(explained.quantityArrivedLater).toBe("0");
    // The 1,000-token allowance went to the first group (opus or sonnet) in rating order; the line says how much.
    const allowance = Number(explained.arithmetic.allowanceQuantity);
    expect(Number(explained.arithmetic.billableQuantity)).toBe(1933 - allowance);
    expect(explained.arithmetic.priceModel).toBe("graduated");
    expect(explained.arithmetic.priceSource).toBe("default price");
    expect(explained.arithmetic.tiersSumMicros).toBe(explained.arithmetic.amountMicros);
    expect(explained.arithmetic.recomputedMicros).toBe(explained.arithmetic.amountMicros);
    expect(explained.arithmetic.amountMicros - explained.arithmetic.amountCents * 10_000n).toBe(explained.arithmetic.roundingMicros);
    expect(explained.stripeInvoiceItem).toBeNull();

    // Pages of one: all three sonnet events of this customer in January, in time order, nothing else.
    const seen: string[] = [];
    let cursor: { occurredAt: Date; seq: string } | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await listInvoiceLineEvents(db, { invoiceId: invoice!.id, position: sonnetLine.position, limit: 1, cursor });
      seen.push(...result.items.map((event) => event.eventId));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(sonnet.map((event) => event.id));
  });

  it("refuses lines that are not usage, with a code", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId: catalog.planVersionId, anchor: day(1, 1) });
    await closeDuePeriods(db, { until: day(2, 1, 1), subscriptionIds: [customer.subscriptionId] }, { clock: fixedClock(day(2, 1, 1)), actor: invoicingActor });
    const [invoice] = await db.select().from(invoices).where(eq(invoices.subscriptionId, customer.subscriptionId));
    const [baseFee] = await db.select().from(invoiceLines).where(and(eq(invoiceLines.invoiceId, invoice!.id), eq(invoiceLines.kind, "base_fee")));
    await expect(explainInvoiceLine(db, { invoiceId: invoice!.id, position: baseFee!.position })).rejects.toMatchObject({ code: "invoice_line_not_usage" });
    await expect(explainInvoiceLine(db, { invoiceId: invoice!.id, position: 999 })).rejects.toMatchObject({ code: "invoice_line_not_found" });
  });
});
