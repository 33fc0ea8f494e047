import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listPlansView, planSortKeys, planStates, type ListPlansViewInput, type PlanState } from "./list-plans-view";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // 60 plans; names and creation times repeat (ties). Versions by g % 4: published (+ an archived v1 and a draft v3),
  // draft only, archived only, none.
  await database.db.execute(sql`
    insert into catalog_plans (key, name, created_at)
    select 'plan_' || lpad(g::text, 2, '0'), 'Plan ' || (g % 6), timestamptz '2026-01-01' + (g % 8) * interval '1 day' from generate_series(1, 60) g`);
  await database.db.execute(sql`
    insert into catalog_plan_versions (plan_id, version, status, currency, billing_interval, base_fee_per_seat_micros, published_at, archived_at)
    select p.id, v.version, v.status, 'usd', 'month', 20000000 * v.version, case when v.status <> 'draft' then now() end, case when v.status = 'archived' then now() end
    from catalog_plans p
    cross join lateral (values (1, 'archived'), (2, 'published'), (3, 'draft')) v(version, status)
    where substr(p.key, 6)::int % 4 = 0
    union all
    select p.id, 1, 'draft', 'usd', 'month', 0, null, null from catalog_plans p where substr(p.key, 6)::int % 4 = 1
    union all
    select p.id, 1, 'archived', 'usd', 'year', 0, now(), now() from catalog_plans p where substr(p.key, 6)::int % 4 = 2`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListPlansViewInput, "cursor">): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listPlansView(database.db, { ...input, cursor });
    keys.push(...result.items.map((row) => row.key));
    if (!result.nextCursor) return keys;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

const stateOfKey: Record<PlanState, number> = { published: 0, draft: 1, archived: 2, empty: 3 };

describe("listPlansView", () => {
  it("pages every plan once in the order of each sort, both directions, with and without a state filter", async () => {
    const columns = { key: "key", name: "name", created: "created_at" };
    for (const sort of planSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const state of [undefined, ...planStates]) {
          const where = state ? sql`substr(key, 6)::int % 4 = ${stateOfKey[state]}` : sql`true`;
          const expected = await executeRows<{ key: string }>(database.db, sql`select key from catalog_plans where ${where} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
          expect(expected.length).toBeGreaterThanOrEqual(15);
          for (const limit of [1, 7, 500]) expect(await all({ state, sort, direction, limit }), `${sort} ${direction} ${state} ${limit}`).toEqual(expected.map((row) => row.key));
        }
      }
    }
  });

  it("lists by key by default with each plan's versions and current one, and finds plans by key or name", async () => {
    const page = await listPlansView(database.db, { limit: 4 });
    expect(page.items.map((row) => [row.key, row.state, row.versions.map((version) => `v${version.version} ${version.status}`).join(" ")])).toEqual([
      ["plan_01", "draft", "v1 draft"],
      ["plan_02", "archived", "v1 archived"],
      ["plan_03", "empty", ""],
      ["plan_04", "published", "v3 draft v2 published v1 archived"],
    ]);
    expect(page.items[3]!.currentVersionId).toBe(page.items[3]!.versions[1]!.id);
    expect(await all({ search: "PLAN_1", limit: 3 })).toEqual(Array.from({ length: 10 }, (_, index) => `plan_1${index}`));
    expect((await all({ search: "plan 5", limit: 50 })).length).toBe(10);
  });

  it("refuses a cursor of another sort, and exports the view", async () => {
    const first = await listPlansView(database.db, { limit: 3 });
    await listPlansView(database.db, { sort: "name", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports.plans!, new URLSearchParams({ state: "published", sort: "created", dir: "desc" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Key,Name,State,Current version,Currency,Base fee per seat,Billing interval,Versions,Created");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(await all({ state: "published", sort: "created", direction: "desc", limit: 100 }));
    expect(lines[1]).toMatch(/^plan_\d\d,Plan \d,published,2,usd,40\.000000,month,v3 draft v2 published v1 archived,2026-01-0\dT00:00:00\.000Z$/);
  });
});
