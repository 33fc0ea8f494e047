import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { grantCategories, grantSources } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { fixedClock } from "@/server/clock";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { issueGrant } from "./issue-grant";
import { readCustomerCreditAvailable, type CustomerGrantView } from "./list-customer-grants";
import { customerGrantSortKeys, listCustomerGrantsView, type ListCustomerGrantsViewInput } from "./list-customer-grants-view";

/* Issue 15: the customer page lists the newest 200 grants; the credits page has every one, paged, filtered and exported. */
const at = new Date("2026-03-01T00:00:00Z");
let database: TestDatabase;
let customerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  customerId = await createTestCustomer(database.db);
  const other = await createTestCustomer(database.db);
  // 70 grants, real ones (each with its ledger account), ties in start; another customer's 3 must never show.
  for (let index = 0; index < 70; index++) {
    const clock = fixedClock(new Date(at.getTime() - (index % 9) * 3_600_000));
    await issueGrant(database.db, systemActor("test"), clock, {
      customerId,
      amountMicros: BigInt(1 + (index % 5)) * 1_000_000n,
      category: grantCategories[index % 3]!,
      source: grantSources[index % 4]!,
      effectiveAt: new Date(at.getTime() - (index % 4) * 86_400_000),
      idempotencyKey: `view-${index}`,
    });
  }
  for (let index = 0; index < 3; index++) await issueGrant(database.db, systemActor("test"), fixedClock(at), { customerId: other, amountMicros: 1_000_000n, category: "goodwill", source: "support", idempotencyKey: `other-${index}` });
}, 120_000);
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListCustomerGrantsViewInput, "cursor" | "customerId">): Promise<CustomerGrantView[]> {
  const seen: CustomerGrantView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listCustomerGrantsView(database.db, { ...input, customerId, cursor }, at);
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

describe("listCustomerGrantsView", () => {
  it("pages through every grant of the customer exactly once, in order, with its remaining balance, for any sort, direction, page size and filter", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, ...customerGrantSortKeys),
        fc.constantFrom(undefined, "asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(undefined, "goodwill" as const, "paid" as const),
        fc.constantFrom(undefined, "support" as const, "migration" as const),
        async (sort, direction, limit, category, source) => {
          const seen = await everyPage({ sort, direction, limit, category, source });
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from credit_grants where customer_id = ${customerId}::uuid
                and (${category ?? null}::text is null or category = ${category ?? null}) and (${source ?? null}::text is null or source = ${source ?? null})`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          const effective = direction ?? (sort ? "asc" : "desc");
          const value = (row: CustomerGrantView) => (sort === "effective" ? row.effectiveAt.getTime() : row.createdAt.getTime());
          for (let index = 0; index < seen.length; index++) {
            const row = seen[index]!;
            expect(row.customerId).toBe(customerId);
            expect(row.remainingMicros).toBe(row.amountMicros);
            expect(row.state).toBe("active");
            if (category) expect(row.category).toBe(category);
            if (source) expect(row.source).toBe(source);
            if (index > 0) expect(effective === "asc" ? value(seen[index - 1]!) <= value(row) : value(seen[index - 1]!) >= value(row)).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("exports the customer's view as CSV, and refuses an export without the customer", async () => {
    const response = await exportListResponse(database.db, listExports["credit-grants"]!, new URLSearchParams({ customer: customerId, category: "paid", sort: "effective" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Remaining");
    expect(lines.length - 1).toBe(23);
    expect(lines.slice(1).every((line) => line.includes(",paid,"))).toBe(true);
    const refused = await exportListResponse(database.db, listExports["credit-grants"]!, new URLSearchParams({ category: "paid" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "customer" } });
  });

  it("says what the customer can spend over every grant in effect (the customer page's total), not the newest the table lists", async () => {
    const every = await everyPage({ limit: 25 });
    const expected = every.filter((grant) => grant.state === "active").reduce((sum, grant) => sum + grant.remainingMicros, 0n);
    expect(expected).toBeGreaterThan(0n);
    expect(await readCustomerCreditAvailable(database.db, customerId, at)).toEqual([{ currency: "usd", availableMicros: expected }]);
    // Before any grant took effect there is nothing to spend.
    expect(await readCustomerCreditAvailable(database.db, customerId, new Date(at.getTime() - 30 * 86_400_000))).toEqual([]);
  });
});
