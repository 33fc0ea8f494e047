import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { demoCustomers, seedCustomers } from "@/server/customers/seed-customers";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { searchGlobal } from "./search-global";

let database: TestDatabase;
let customerId: string;
const sample = demoCustomers(120)[42]!;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 120);
  await seedCatalog(database.db);
  const [row] = await executeRows<{ id: string }>(database.db, sql`select id from customers where external_id = ${sample.externalId}`);
  customerId = row!.id;
  await database.db.execute(sql`
    with version as (select id from catalog_plan_versions where status = 'published' limit 1),
         subscription as (
           insert into subscriptions (customer_id, plan_version_id, status, billing_anchor, stripe_subscription_id)
           select ${customerId}::uuid, id, 'active', now(), 'sub_searchtest1' from version returning id, plan_version_id)
    insert into invoices (number, customer_id, subscription_id, plan_version_id, kind, sequence, status, currency, period_start, period_end,
      subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros,
      stripe_invoice_id, issued_at, created_by)
    select 'TLY-777001', ${customerId}::uuid, id, plan_version_id, 'period', 0, 'finalized', 'usd', '2026-01-01', '2026-02-01',
      10000, 0, 0, 10000, 1, 0, 0, 1, 0, 'in_searchtest1', now(), 'test' from subscription`);
});
afterAll(async () => {
  await database.drop();
});

const all = ["customers", "invoices", "promotions"] as const;

describe("searchGlobal", () => {
  it("finds a customer by part of the name (any case), email or external id", async () => {
    for (const query of [sample.name.split(" ")[1]!.toUpperCase(), sample.email, sample.externalId]) {
      const hits = await searchGlobal(database.db, { query, scopes: [...all] });
      expect(hits.filter((hit) => hit.kind === "customer").map((hit) => hit.id)).toContain(customerId);
    }
  });

  it("finds the customer and the invoice by a Stripe invoice id, and the customer by a Stripe subscription id", async () => {
    const byInvoice = await searchGlobal(database.db, { query: "in_searchtest1", scopes: [...all] });
    expect(byInvoice.find((hit) => hit.kind === "customer")).toMatchObject({ id: customerId, href: `/customers/${customerId}`, matchedBy: "Stripe invoice in_searchtest1" });
    expect(byInvoice.find((hit) => hit.kind === "invoice")).toMatchObject({ title: "TLY-777001" });
    const bySubscription = await searchGlobal(database.db, { query: "sub_searchtest1", scopes: ["customers"] });
    expect(bySubscription.map((hit) => hit.id)).toEqual([customerId]);
  });

  it("finds an invoice by part of its number, only in the scopes asked for, and nothing for fewer than 3 characters", async () => {
    expect((await searchGlobal(database.db, { query: "tly-7770", scopes: [...all] })).map((hit) => hit.title)).toContain("TLY-777001");
    expect(await searchGlobal(database.db, { query: "TLY-777001", scopes: ["customers"] })).toEqual([]);
    expect(await searchGlobal(database.db, { query: "ad", scopes: [...all] })).toEqual([]);
    expect(await searchGlobal(database.db, { query: "%%%", scopes: [...all] })).toEqual([]);
  });
});
