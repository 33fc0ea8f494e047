import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { customerSortKeys, listCustomers, type CustomerSortKey, type ListedCustomer } from "./list-customers";
import { refreshCustomerSummaries } from "./refresh-customer-summaries";
import { demoCustomers, seedCustomers } from "./seed-customers";

let database: TestDatabase;
let planVersionId: string;
let planName: string;
let planKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 240);
  await seedCatalog(database.db);
  const [version] = await executeRows<{ id: string; name: string; key: string }>(
    database.db,
    sql`select v.id, p.name, p.key from catalog_plan_versions v join catalog_plans p on p.id = v.plan_id where v.status = 'published' order by p.key limit 1`,
  );
  planVersionId = version!.id;
  planName = version!.name;
  planKey = version!.key;
  // Every third customer subscribes, with a spread of statuses; some owe money (invoices written in SQL, as the writers would).
  await database.db.execute(sql`
    insert into subscriptions (customer_id, plan_version_id, status, billing_anchor)
    select id, ${planVersionId}::uuid, (array['trialing','active','past_due','canceled'])[1 + (row_number() over (order by external_id))::int % 4], now()
    from customers where external_id in (select external_id from customers order by external_id limit 80)`);
});
afterAll(async () => {
  await database.drop();
});

type Filter = Pick<Parameters<typeof listCustomers>[1], "status" | "plan" | "kind">;

async function everyPage(sort: CustomerSortKey, direction: "asc" | "desc", limit: number, filter: Filter = {}): Promise<ListedCustomer[]> {
  const seen: ListedCustomer[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 300; page++) {
    const result = await listCustomers(database.db, { limit, cursor, sort, direction, ...filter });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

function sortValue(customer: ListedCustomer, sort: CustomerSortKey): string | number | bigint {
  switch (sort) {
    case "name":
      return customer.name.toLowerCase();
    case "created":
      return customer.createdAt.getTime();
    case "plan":
      return customer.planName;
    case "status":
      return customer.status;
    case "balance":
      return customer.balanceDueMicros;
    case "spend":
      return customer.monthSpendMicros;
    case "anomalies":
      return customer.openAnomalies;
  }
}

describe("listCustomers", () => {
  it("pages through every customer exactly once, in order, for any sort, direction, page size and filters", async () => {
    // Each filter alone and in pairs: a filter leading an index (filter, sort, id) takes another path through keysetPlan.
    const filters = (): Filter[] => [{}, { status: "active" }, { plan: planKey }, { kind: "team" }, { plan: planKey, kind: "team" }, { status: "past_due", kind: "individual" }, { status: "trialing", plan: planKey }];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...customerSortKeys), fc.constantFrom("asc" as const, "desc" as const), fc.integer({ min: 1, max: 100 }), fc.constantFrom(...filters()), async (sort, direction, limit, filter) => {
        const seen = await everyPage(sort, direction, limit, filter);
        const [expected] = await executeRows<{ count: number }>(
          database.db,
          sql`select count(*)::int as count from customer_summaries s where not s.archived
                and (${filter.status ?? null}::text is null or s.status = ${filter.status ?? null})
                and (${filter.plan ?? null}::text is null or s.plan_key = ${filter.plan ?? null})
                and (${filter.kind ?? null}::text is null or s.kind = ${filter.kind ?? null})`,
        );
        expect(expected!.count).toBeGreaterThan(0);
        expect(new Set(seen.map((customer) => customer.id)).size).toBe(expected!.count);
        expect(seen.length).toBe(expected!.count);
        for (const customer of seen) {
          if (filter.status) expect(customer.status).toBe(filter.status);
          if (filter.plan) expect(customer.planKey).toBe(filter.plan);
          if (filter.kind) expect(customer.kind).toBe(filter.kind);
        }
        for (let index = 1; index < seen.length; index++) {
          const previous = sortValue(seen[index - 1]!, sort);
          const current = sortValue(seen[index]!, sort);
          if (sort === "name" || sort === "plan" || sort === "status") continue; // collation order: checked by the database, not JS
          expect(direction === "asc" ? previous <= current : previous >= current).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("shows plan and status from the live subscription, kept current by the writers' transactions", async () => {
    const active = await everyPage("name", "asc", 100, { status: "active" });
    expect(active.length).toBe(20);
    expect(active.every((customer) => customer.status === "active" && customer.planName === planName)).toBe(true);
    const target = active[0]!;
    await database.db.execute(sql`update subscriptions set status = 'past_due' where customer_id = ${target.id}::uuid`);
    const after = await everyPage("name", "asc", 100, { status: "active" });
    expect(after.map((customer) => customer.id)).not.toContain(target.id);
    const pastDue = await listCustomers(database.db, { status: "past_due", search: target.externalId, limit: 10 });
    expect(pastDue.items.map((customer) => customer.id)).toEqual([target.id]);
  });

  it("sums finalized invoices into balance due and counts open anomalies, and sorts by them", async () => {
    const [customer] = (await listCustomers(database.db, { status: "trialing", limit: 1 })).items;
    const [subscription] = await executeRows<{ id: string }>(database.db, sql`select id from subscriptions where customer_id = ${customer!.id}::uuid`);
    for (const [index, status] of (["finalized", "finalized", "paid"] as const).entries()) {
      await database.db.execute(sql`
        insert into invoices (number, customer_id, subscription_id, plan_version_id, kind, sequence, status, currency, period_start, period_end,
          subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros, issued_at, created_by)
        values (${`TST-${index}`}, ${customer!.id}::uuid, ${subscription!.id}::uuid, ${planVersionId}::uuid, 'threshold', ${index}, ${status}, 'usd',
          '2026-01-01', '2026-02-01', 12500000, 0, 0, 12500000, 1250, 0, 0, 1250, 0, now(), 'test')`);
    }
    await database.db.execute(sql`
      insert into anomalies (kind, severity, customer_id, subject, window_start, window_end, title, first_detected_at, last_detected_at)
      values ('usage_spike', 'high', ${customer!.id}::uuid, 'meter:x', now(), now(), 'spike', now(), now()),
             ('usage_drop', 'low', ${customer!.id}::uuid, 'meter:y', now(), now(), 'drop', now(), now())`);
    const [top] = (await listCustomers(database.db, { sort: "balance", direction: "desc", limit: 1 })).items;
    expect(top!.id).toBe(customer!.id);
    expect(top!.balanceDueMicros).toBe(25_000_000n);
    expect(top!.openAnomalies).toBe(2);
    await database.db.execute(sql`update invoices set status = 'paid' where number = 'TST-0'`);
    await database.db.execute(sql`update anomalies set status = 'resolved', closed_at = now() where subject = 'meter:x'`);
    const [again] = (await listCustomers(database.db, { sort: "anomalies", direction: "desc", limit: 1 })).items;
    expect(again!.id).toBe(customer!.id);
    expect(again!.balanceDueMicros).toBe(12_500_000n);
    expect(again!.openAnomalies).toBe(1);
    // The repair job agrees with the triggers: it finds nothing to change here but this month's spend.
    const refreshed = await refreshCustomerSummaries(database.db, new Date());
    expect(refreshed.customers).toBe(240);
    expect(await refreshCustomerSummaries(database.db, new Date())).toMatchObject({ customers: 0 });
  });

  it("matches name, email and external id case-insensitively, and only those", async () => {
    const sample = demoCustomers(240)[17]!;
    for (const search of [sample.name.toUpperCase(), sample.email, sample.externalId.slice(0, 12)]) {
      const result = await listCustomers(database.db, { search, limit: 100 });
      expect(result.items.map((customer) => customer.externalId)).toContain(sample.externalId);
      for (const customer of result.items) {
        const haystack = `${customer.name} ${customer.email} ${customer.externalId}`.toLowerCase();
        expect(haystack).toContain(search.toLowerCase());
      }
    }
  });

  it("treats LIKE wildcards in a search as plain text", async () => {
    const result = await listCustomers(database.db, { search: "%", limit: 10 });
    expect(result.items).toEqual([]);
  });

  it("filters by kind; refuses a garbled cursor or one made for another sort with cursor_invalid", async () => {
    const teams = await listCustomers(database.db, { kind: "team", limit: 100 });
    expect(teams.items.length).toBeGreaterThan(0);
    expect(teams.items.every((customer) => customer.kind === "team")).toBe(true);
    await expect(listCustomers(database.db, { limit: 10, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "cursor_invalid" });
    const first = await listCustomers(database.db, { limit: 10, sort: "balance" });
    await expect(listCustomers(database.db, { limit: 10, sort: "name", cursor: first.nextCursor! })).rejects.toMatchObject({ code: "cursor_invalid" });
  });

  it("hides archived customers", async () => {
    const sample = demoCustomers(240)[3]!;
    await database.db.execute(sql`update customers set archived_at = now() where external_id = ${sample.externalId}`);
    const result = await listCustomers(database.db, { search: sample.externalId, limit: 10 });
    expect(result.items).toEqual([]);
  });
});
