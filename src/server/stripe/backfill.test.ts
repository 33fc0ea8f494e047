import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripeBackfillCursors, stripeCustomers, stripeInvoices } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { backfillStripe } from "./backfill-stripe";
import { insertCustomer, startStripeTestbed, type StripeTestbed } from "./test-support";

let database: TestDatabase;
let testbed: StripeTestbed;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  testbed = await startStripeTestbed(async () => new Response(null, { status: 503 }), { config: { webhooks: { retryDelaysMs: [], timeoutMs: 2000 } } });
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

describe("stripe:backfill", () => {
  it("pulls customers and invoices page by page and resumes from its stored cursor", async () => {
    const { db } = database;
    const { stripe } = testbed;
    const linked = await insertCustomer(db, "backfill");
    for (let index = 0; index < 5; index++) {
      const customer = await stripe.customers.create({ email: `b${index}@example.com`, metadata: index === 0 ? { tally_customer_id: linked } : {} });
      await stripe.invoiceItems.create({ customer: customer.id, amount: 100 * (index + 1), currency: "usd" });
      await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    }
    const lines: string[] = [];
    const first = await backfillStripe(db, stripe, systemClock, { log: (line) => lines.push(line), pageSize: 2, pagesMax: 1 });
    expect(first.customers).toEqual({ stored: 2, pages: 1, complete: false });
    const second = await backfillStripe(db, stripe, systemClock, { log: (line) => lines.push(line), pageSize: 2, pagesMax: 10 });
    expect(second.customers).toEqual({ stored: 3, pages: 2, complete: true });
    expect(lines).toContain("customers: page 2, 3 stored, complete");
    const mirrored = await db.select().from(stripeCustomers);
    expect(mirrored).toHaveLength(5);
    expect(mirrored.filter((row) => row.customerId === linked)).toHaveLength(1);
    const invoices = await db.select().from(stripeInvoices);
    expect(invoices.map((invoice) => invoice.total).sort((a, b) => Number(a - b))).toEqual([100n, 200n, 300n, 400n, 500n]);
    const cursors = await db.select().from(stripeBackfillCursors);
    expect(cursors.every((cursor) => cursor.completedAt !== null)).toBe(true);
    expect((await backfillStripe(db, stripe, systemClock, { log: () => {} })).customers).toEqual({ stored: 0, pages: 0, complete: true });
  });
});
