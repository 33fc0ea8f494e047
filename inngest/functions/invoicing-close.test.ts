import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoices } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, usageEvent } from "@/server/invoicing/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeSubscriptionEvent, createInvoicingCloseDueFunction, createInvoicingCloseSubscriptionFunction } from "./invoicing-close";

let database: TestDatabase;
const clock = fixedClock("2026-02-01T01:00:00Z");
const context = async () => ({ db: database.db, clock });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("invoicing close Inngest functions", () => {
  it("fans out one event per subscription with a due period, and the per-subscription function closes it once", async () => {
    const catalog = await createTestCatalog(database.db);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: new Date("2026-01-01T00:00:00Z") });
    await ingestAndRollUp(database.db, [usageEvent(catalog.eventTypes.request, customer.externalId, new Date("2026-01-05T00:00:00Z"), {})], clock);

    // Sending events needs an Inngest server: the send step is mocked, what it would send is the listed page.
    const fanOut = await new InngestTestEngine({ function: createInvoicingCloseDueFunction(context) }).execute({ steps: [{ id: "fan-out-0", handler: () => ({ ids: [] }) }] });
    expect(fanOut.error).toBeUndefined();
    expect(fanOut.result).toMatchObject({ subscriptions: 1 });

    const close = new InngestTestEngine({ function: createInvoicingCloseSubscriptionFunction(context) });
    const events: [{ name: string; data: Record<string, string> }] = [{ name: closeSubscriptionEvent, data: { subscriptionId: customer.subscriptionId, until: clock.now().toISOString() } }];
    const first = await close.execute({ events });
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ created: 1 });
    // The same event delivered again (a new run, no step cache): nothing more is created.
    const retried = await new InngestTestEngine({ function: createInvoicingCloseSubscriptionFunction(context) }).execute({ events });
    expect(retried.result).toMatchObject({ created: 0 });
    const rows = await database.db.select().from(invoices).where(eq(invoices.subscriptionId, customer.subscriptionId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "period", totalMicros: 11_000_000n });
    await expectLedgerConsistent(database.db);
  });
});
