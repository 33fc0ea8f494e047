import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listPromotions, promotionSortKeys, type ListPromotionsInput, type PromotionSummary } from "./list-promotions";

/* Issue 15: the promotions list was the newest 200; now every promotion pages, sorts, filters and exports. */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  // 230 promotions (more than the old cap), with ties in every sort column.
  await executeRows(
    database.db,
    sql`insert into promotions (name, status, starts_at, ends_at, eligibility, effect, max_redemptions, redemption_count, created_by, created_at)
        select case when g % 3 = 0 then 'Spring ' else 'Launch ' end || (g % 40),
               (array['draft','active','paused','ended'])[1 + g % 4],
               '2026-01-01T00:00:00Z'::timestamptz + ((g % 17) || ' days')::interval, null,
               '{"newCustomerWithinDays": null, "planKeys": [], "productKeys": []}'::jsonb,
               '{"type": "credit", "amountMicros": "5000000", "currency": "usd", "expiryDays": null}'::jsonb,
               null, g % 7, 'test', '2026-02-01T00:00:00Z'::timestamptz + ((g % 23) || ' hours')::interval
        from generate_series(1, 230) g`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListPromotionsInput, "cursor">): Promise<PromotionSummary[]> {
  const seen: PromotionSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listPromotions(database.db, { ...input, cursor });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

describe("listPromotions", () => {
  it("pages through every matching promotion exactly once, in order, for any sort, direction, page size, status and search", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...promotionSortKeys),
        fc.constantFrom("asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(undefined, "draft" as const, "active" as const, "ended" as const),
        fc.constantFrom(undefined, "spring", "LAUNCH 1", "no such"),
        async (sort, direction, limit, status, search) => {
          const seen = await everyPage({ sort, direction, limit, status, search });
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from promotions
                where (${status ?? null}::text is null or status = ${status ?? null}) and (${search ?? null}::text is null or name ilike '%' || ${search ?? null} || '%')`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          for (const row of seen) {
            if (status) expect(row.status).toBe(status);
            if (search) expect(row.name.toLowerCase()).toContain(search.toLowerCase());
            expect(row.stats.redemptions).toBe(row.redemptionCount);
          }
          const value = (row: PromotionSummary) => (sort === "starts" ? row.startsAt.getTime() : sort === "created" ? row.createdAt.getTime() : sort === "redemptions" ? row.redemptionCount : null);
          for (let index = 1; index < seen.length; index++) {
            const [previous, current] = [value(seen[index - 1]!), value(seen[index]!)];
            if (previous === null || current === null) continue; // text order is the database's collation
            expect(direction === "asc" ? previous <= current : previous >= current).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("exports the whole filtered view as CSV, and refuses a bad parameter with 400", async () => {
    const response = await exportListResponse(database.db, listExports.promotions!, new URLSearchParams({ status: "active", sort: "name" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    const [active] = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from promotions where status = 'active'`);
    expect(lines[0]).toContain("Credits granted");
    expect(lines.length - 1).toBe(active!.count);
    expect(lines.slice(1).every((line) => line.includes(",active,"))).toBe(true);
    const refused = await exportListResponse(database.db, listExports.promotions!, new URLSearchParams({ status: "archived" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "status" } });
  });
});
