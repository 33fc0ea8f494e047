import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import type { CreditRequestView } from "./list-credit-requests";
import { creditRequestSortKeys, listCreditRequestsView, type ListCreditRequestsViewInput } from "./list-credit-requests-view";

/* Issue 15: the approvals page showed at most 100 pending requests; now the queue and the history page, sort, filter and export. */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await executeRows(database.db, sql`insert into customers (external_id, name, email, kind) select 'cr_' || g, 'Requester Co ' || g, 'cr' || g || '@example.com', 'team' from generate_series(1, 9) g`);
  // 260 requests (past the old cap of 100), pending and rejected, with ties in amount and time.
  await executeRows(
    database.db,
    sql`insert into credit_requests (request_key, customer_id, amount_micros, currency, reason, status, requested_by, requested_by_label, requester_role, limit_micros, decided_by, decided_by_label, decided_at, decision_note, created_at)
        select 'key-' || g, (select id from customers where external_id = 'cr_' || (1 + g % 9)), (1 + g % 13) * 50000000, 'usd', 'reason ' || g,
               case when g % 4 = 0 then 'rejected' else 'pending' end, 'user-' || (g % 3), 'Support ' || (g % 3), 'support', 100000000,
               case when g % 4 = 0 then 'finance-1' end, case when g % 4 = 0 then 'Finance' end, case when g % 4 = 0 then now() end, case when g % 4 = 0 then 'no' end,
               '2026-11-01T00:00:00Z'::timestamptz + ((g % 37) || ' hours')::interval
        from generate_series(1, 260) g`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListCreditRequestsViewInput, "cursor">): Promise<CreditRequestView[]> {
  const seen: CreditRequestView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listCreditRequestsView(database.db, { ...input, cursor });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

describe("listCreditRequestsView", () => {
  it("pages through every request of a status exactly once, in order, for any sort, direction, page size and search", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, "pending" as const, "rejected" as const),
        fc.constantFrom(...creditRequestSortKeys),
        fc.constantFrom(undefined, "asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(undefined, "co 3", "CR_7", "nobody"),
        async (status, sort, direction, limit, search) => {
          const seen = await everyPage({ status, sort, direction, limit, search });
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from credit_requests r join customers c on c.id = r.customer_id
                where r.status = ${status ?? "pending"} and (${search ?? null}::text is null or c.name ilike '%' || ${search ?? null} || '%' or c.external_id ilike '%' || ${search ?? null} || '%')`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          // The queue defaults to oldest first; decided requests to newest first.
          const effective = direction ?? ((status ?? "pending") === "pending" && sort === "requested" ? "asc" : "desc");
          const value = (row: CreditRequestView) => (sort === "amount" ? row.amountMicros : BigInt(row.createdAt.getTime()));
          for (let index = 1; index < seen.length; index++) {
            const [previous, current] = [value(seen[index - 1]!), value(seen[index]!)];
            expect(effective === "asc" ? previous <= current : previous >= current).toBe(true);
            expect(seen[index]!.status).toBe(status ?? "pending");
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("exports the view as CSV (the history too), and refuses a bad status with 400", async () => {
    const response = await exportListResponse(database.db, listExports["credit-requests"]!, new URLSearchParams({ status: "rejected", sort: "amount" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Decision note");
    expect(lines.length - 1).toBe(65);
    const refused = await exportListResponse(database.db, listExports["credit-requests"]!, new URLSearchParams({ status: "maybe" }));
    expect(refused.status).toBe(400);
  });
});
