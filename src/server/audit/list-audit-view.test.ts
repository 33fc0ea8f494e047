import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listAuditFilterValues, listAuditView, type ListAuditViewInput } from "./list-audit-view";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(sql`
    insert into audit_log (occurred_at, actor_type, actor_id, actor_label, action, object_type, object_id)
    select timestamptz '2026-01-01' + g * interval '1 minute', (array['user','api_key','system'])[1 + g % 3], 'a' || (g % 5), 'A',
           (array['customer.update','credit.issue','invoice.finalize'])[1 + g % 3], (array['customer','credit_grant','invoice'])[1 + g % 3], 'o' || g
    from generate_series(1, 300) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListAuditViewInput, "limit" | "cursor">, limit: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 400; page++) {
    const result = await listAuditView(database.db, { ...input, limit, cursor });
    ids.push(...result.items.map((entry) => entry.id));
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return ids;
}

describe("listAuditView", () => {
  it("pages newest first (default) or oldest first, every entry once, filters applied", async () => {
    const newest = await all({}, 7);
    expect(newest.length).toBe(300);
    expect([...newest].sort((a, b) => (a < b ? 1 : -1))).toEqual(newest);
    const oldest = await all({ direction: "asc" }, 13);
    expect(oldest).toEqual([...newest].reverse());
    const credits = await all({ action: "credit.issue", actorType: "api_key" }, 9);
    expect(credits.length).toBe(100);
    const rows = await listAuditView(database.db, { action: "credit.issue", limit: 100 });
    expect(rows.items.every((entry) => entry.action === "credit.issue" && entry.actorType === "api_key")).toBe(true);
  });

  it("lists the distinct actions and object types for the filters", async () => {
    expect(await listAuditFilterValues(database.db)).toEqual({
      actions: ["credit.issue", "customer.update", "invoice.finalize"],
      objectTypes: ["credit_grant", "customer", "invoice"],
    });
  });
});
