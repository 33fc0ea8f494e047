import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { seedCustomers } from "@/server/customers/seed-customers";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { invoiceSortKeys, listInvoicesView, type ListInvoicesViewInput } from "./list-invoices-view";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 40);
  await seedCatalog(database.db);
  // Four invoices per customer: paid months, and a finalized or draft latest one.
  await database.db.execute(sql`
    with version as (select id from catalog_plan_versions where status = 'published' limit 1),
         subscription as (
           insert into subscriptions (customer_id, plan_version_id, status, billing_anchor)
           select c.id, v.id, 'active', now() from customers c cross join version v returning id, customer_id, plan_version_id)
    insert into invoices (number, customer_id, subscription_id, plan_version_id, kind, sequence, status, currency, period_start, period_end,
      subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros, issued_at, created_by)
    select case when x.status = 'draft' then null else 'TLY-' || lpad(x.n::text, 6, '0') end, x.customer_id, x.id, x.plan_version_id, 'period', 0, x.status, 'usd',
      x.start, x.start + interval '1 month', x.total, 0, 0, x.total, x.total / 10000, 0, 0, x.total / 10000, 0, x.start + interval '1 month', 'test'
    from (select s.*, timestamptz '2026-01-01' + m * interval '1 month' as start, row_number() over () as n,
                 case when m < 3 then 'paid' when s.customer_id::text < '8' then 'finalized' else 'draft' end as status,
                 ((m * 37 + abs(hashtext(s.id::text))) % 50)::bigint * 10000 as total
          from subscription s cross join generate_series(0, 3) m) x`);
});
afterAll(async () => {
  await database.drop();
});

describe("listInvoicesView", () => {
  it("pages through the invoices exactly once for any sort, direction, page size and status filter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...invoiceSortKeys),
        fc.constantFrom("asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(undefined, "paid" as const, "finalized" as const, "draft" as const),
        async (sort, direction, limit, status) => {
          const ids: string[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 200; page++) {
            const input: ListInvoicesViewInput = { sort, direction, limit, cursor, status };
            const result = await listInvoicesView(database.db, input);
            ids.push(...result.items.map((invoice) => invoice.id));
            expect(result.items.every((invoice) => !status || invoice.status === status)).toBe(true);
            if (!result.nextCursor) break;
            cursor = result.nextCursor;
          }
          const expected = await database.db.execute(sql`select count(*)::int as n from invoices where ${status ?? null}::text is null or status = ${status ?? null}`);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBe((expected as unknown as { n: number }[])[0]!.n);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("lists newest first by default and finds an invoice by the start of its number", async () => {
    const page = await listInvoicesView(database.db, { limit: 5 });
    const issued = page.items.map((invoice) => invoice.issuedAt.getTime());
    expect(issued).toEqual([...issued].sort((a, b) => b - a));
    const found = await listInvoicesView(database.db, { number: "tly-00001", limit: 50 });
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((invoice) => invoice.number!.startsWith("TLY-00001"))).toBe(true);
  });
});
