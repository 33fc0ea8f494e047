import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listPromotionRedemptions, redemptionSortKeys, type ListPromotionRedemptionsInput, type PromotionRedemptionRow } from "./list-promotion-redemptions";

/* Issue 15: a promotion's page showed its latest 200 redemptions; now every one pages, sorts, filters and exports. */
let database: TestDatabase;
let promotionId: string;
let otherPromotionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await executeRows(database.db, sql`insert into customers (external_id, name, email, kind) select 'rd_' || g, 'Redeemer ' || g, 'rd' || g || '@example.com', 'team' from generate_series(1, 30) g`);
  const effect = sql`'{"type": "credit", "amountMicros": "5000000", "currency": "usd", "expiryDays": null}'::jsonb`;
  const eligibility = sql`'{"newCustomerWithinDays": null, "planKeys": [], "productKeys": []}'::jsonb`;
  const [promotion, other] = await executeRows<{ id: string }>(
    database.db,
    sql`insert into promotions (name, status, starts_at, eligibility, effect, max_redemptions_per_customer, created_by)
        values ('Spring', 'active', '2026-01-01T00:00:00Z', ${eligibility}, ${effect}, 20, 'test'), ('Autumn', 'active', '2026-01-01T00:00:00Z', ${eligibility}, ${effect}, 20, 'test')
        returning id`,
  );
  promotionId = promotion!.id;
  otherPromotionId = other!.id;
  await executeRows(
    database.db,
    sql`insert into promotion_codes (promotion_id, code, kind, max_redemptions)
        select ${promotionId}::uuid, 'SPRING' || g, case when g <= 3 then 'shared' else 'unique' end, case when g <= 3 then null else 1 end from generate_series(1, 250) g
        union all select ${otherPromotionId}::uuid, 'AUTUMN1', 'shared', null`,
  );
  // 260 redemptions of Spring (past the old cap of 200), ties in time and in who redeemed; 5 of Autumn, which must never show.
  await executeRows(
    database.db,
    sql`insert into promotion_redemptions (promotion_id, code_id, customer_id, customer_sequence, effect, redeemed_at, redeemed_by)
        select ${promotionId}::uuid, (select id from promotion_codes where code = 'SPRING' || case when g % 4 = 0 then 1 + g % 3 else 4 + g % 240 end),
               (select id from customers where external_id = 'rd_' || (1 + g % 30)), 1 + g / 30, ${effect},
               '2026-03-01T00:00:00Z'::timestamptz + ((g % 41) || ' hours')::interval, (array['support@tally.test','api:key_1','Admin@tally.test'])[1 + g % 3]
        from generate_series(0, 259) g
        union all
        select ${otherPromotionId}::uuid, (select id from promotion_codes where code = 'AUTUMN1'), (select id from customers where external_id = 'rd_' || g), 1, ${effect}, now(), 'support@tally.test'
        from generate_series(1, 5) g`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListPromotionRedemptionsInput, "cursor">): Promise<PromotionRedemptionRow[]> {
  const seen: PromotionRedemptionRow[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listPromotionRedemptions(database.db, { ...input, cursor });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

describe("listPromotionRedemptions", () => {
  it("pages through every redemption of the promotion exactly once, in order, for any sort, direction, page size, code kind and search", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, ...redemptionSortKeys),
        fc.constantFrom(undefined, "asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(undefined, "shared" as const, "unique" as const),
        fc.constantFrom(undefined, "redeemer 1", "RD_7", "spring1", "nobody"),
        async (sort, direction, limit, codeKind, search) => {
          const seen = await everyPage({ promotionId, sort, direction, limit, codeKind, search });
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from promotion_redemptions r join customers c on c.id = r.customer_id join promotion_codes k on k.id = r.code_id
                where r.promotion_id = ${promotionId}::uuid and (${codeKind ?? null}::text is null or k.kind = ${codeKind ?? null})
                  and (${search ?? null}::text is null or c.name ilike '%' || ${search ?? null} || '%' or c.external_id ilike '%' || ${search ?? null} || '%' or k.code ilike ${search ?? ""} || '%')`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          for (const row of seen) {
            expect(row.code.startsWith("SPRING")).toBe(true);
            if (codeKind) expect(row.codeKind).toBe(codeKind);
          }
          const effective = direction ?? (sort ? "asc" : "desc");
          if (sort !== "by") {
            for (let index = 1; index < seen.length; index++) {
              const [previous, current] = [seen[index - 1]!.redeemedAt.getTime(), seen[index]!.redeemedAt.getTime()];
              expect(effective === "asc" ? previous <= current : previous >= current).toBe(true);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("exports the promotion's view as CSV, and refuses an export without the promotion", async () => {
    const response = await exportListResponse(database.db, listExports["promotion-redemptions"]!, new URLSearchParams({ promotion: promotionId, codeKind: "shared", sort: "by" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Redeemed by");
    expect(lines.length - 1).toBe(65);
    expect(lines.slice(1).every((line) => line.includes(",shared,"))).toBe(true);
    const refused = await exportListResponse(database.db, listExports["promotion-redemptions"]!, new URLSearchParams({ codeKind: "shared" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "promotion" } });
  });
});
