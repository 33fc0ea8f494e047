import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { listApiKeysView, apiKeySortKeys, type ListApiKeysViewInput } from "@/server/api-keys/list-api-keys-view";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listUsersView, userSortKeys, type ListUsersViewInput } from "./list-users-view";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // Names repeat (ties on the sort), creation times repeat in threes.
  await database.db.execute(sql`
    insert into users (email, name, role, disabled, created_at)
    select 'user' || lpad(g::text, 3, '0') || '@tally.test', (array['Ada','bob','Cleo','dan'])[1 + g % 4] || ' ' || (g % 7),
           (array['support','product','finance','admin'])[1 + g % 4], g % 5 = 0, timestamptz '2026-01-01' + (g / 3) * interval '1 hour'
    from generate_series(1, 80) g`);
  await database.db.execute(sql`
    insert into api_keys (name, prefix, key_hash, scopes, created_by, created_at, revoked_at, revoked_by)
    select 'key ' || (g % 9), 'tly_live_' || lpad(g::text, 4, '0'), 'hash' || g,
           case when g % 3 = 0 then array['ingest']::text[] else array['read','entitlements']::text[] end,
           (select id::text from users order by email limit 1), timestamptz '2026-02-01' + (g / 4) * interval '1 minute',
           case when g % 4 = 0 then timestamptz '2026-03-01' end, case when g % 4 = 0 then 'system' end
    from generate_series(1, 70) g`);
});
afterAll(async () => {
  await database.drop();
});

async function pages<Input extends { cursor?: string; limit: number }, Row>(list: (input: Input) => Promise<{ items: Row[]; nextCursor: string | null }>, input: Input): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await list({ ...input, cursor });
    rows.push(...result.items);
    if (!result.nextCursor) return rows;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

const expectInvalidCursor = (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid");
const users = (input: Omit<ListUsersViewInput, "cursor">) => pages((next) => listUsersView(database.db, next), input);
const keys = (input: Omit<ListApiKeysViewInput, "cursor">) => pages((next) => listApiKeysView(database.db, next), input);

describe("listUsersView", () => {
  it("pages every user once in the order of each sort, both directions", async () => {
    const expressions = { email: "u.email", name: "lower(u.name)", created: "u.created_at" };
    for (const sort of userSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        const expected = await executeRows<{ id: string }>(database.db, sql`select u.id from users u order by ${sql.raw(expressions[sort])} ${sql.raw(direction)}, u.id ${sql.raw(direction)}`);
        for (const limit of [1, 6, 200]) expect((await users({ sort, direction, limit })).map((user) => user.id), `${sort} ${direction} ${limit}`).toEqual(expected.map((row) => row.id));
      }
    }
  });

  it("filters by role, status and part of a name or email", async () => {
    const disabledAdmins = await users({ role: "admin", status: "disabled", limit: 2 });
    expect(disabledAdmins.length).toBeGreaterThan(0);
    expect(disabledAdmins.every((user) => user.role === "admin" && user.disabled)).toBe(true);
    const [{ n }] = (await executeRows<{ n: number }>(database.db, sql`select count(*)::int as n from users where role = 'admin' and disabled`)) as [{ n: number }];
    expect(disabledAdmins.length).toBe(n);
    expect((await users({ search: "BOB", limit: 5 })).every((user) => user.name.startsWith("bob"))).toBe(true);
    expect((await users({ search: "user07", limit: 50 })).map((user) => user.email)).toEqual(Array.from({ length: 10 }, (_, index) => `user07${index}@tally.test`));
    expect(await users({ search: "100%", limit: 5 })).toEqual([]);
  });

  it("refuses a cursor of another sort, and exports the view", async () => {
    const first = await listUsersView(database.db, { sort: "name", limit: 3 });
    await listUsersView(database.db, { sort: "email", cursor: first.nextCursor!, limit: 3 }).then(() => expect.fail("accepted"), expectInvalidCursor);
    const response = await exportListResponse(database.db, listExports.users!, new URLSearchParams({ role: "finance", sort: "created", dir: "desc" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Email,Name,Role,Status,Created");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual((await users({ role: "finance", sort: "created", direction: "desc", limit: 100 })).map((user) => user.email));
  });
});

describe("listApiKeysView", () => {
  it("pages every key once, newest first by default, in the order of each sort", async () => {
    const expressions = { created: "k.created_at", name: "lower(k.name)" };
    for (const sort of apiKeySortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        const expected = await executeRows<{ id: string }>(database.db, sql`select k.id from api_keys k order by ${sql.raw(expressions[sort])} ${sql.raw(direction)}, k.id ${sql.raw(direction)}`);
        for (const limit of [1, 8, 200]) expect((await keys({ sort, direction, limit })).map((key) => key.id), `${sort} ${direction} ${limit}`).toEqual(expected.map((row) => row.id));
      }
    }
    const newest = await listApiKeysView(database.db, { limit: 70 });
    const times = newest.items.map((key) => key.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("filters by status, scope, name or prefix; names who created and revoked", async () => {
    const revoked = await keys({ status: "revoked", limit: 4 });
    expect(revoked.length).toBe(17);
    expect(revoked.every((key) => key.revokedAt !== null && key.revokedByLabel === "system" && key.createdByLabel === "user001@tally.test")).toBe(true);
    const active = await keys({ status: "active", scope: "ingest", limit: 4 });
    expect(active.length).toBe(18);
    expect(active.every((key) => key.revokedAt === null && key.scopes.includes("ingest"))).toBe(true);
    expect((await keys({ search: "tly_live_001", limit: 50 })).map((key) => key.prefix).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `tly_live_001${index}`));
    expect((await keys({ search: "KEY 3", limit: 50 })).every((key) => key.name === "key 3")).toBe(true);
  });

  it("refuses a foreign cursor, and exports the view", async () => {
    const first = await listApiKeysView(database.db, { limit: 3 });
    await listApiKeysView(database.db, { sort: "created", direction: "asc", cursor: first.nextCursor!, limit: 3 }).then(() => expect.fail("accepted"), expectInvalidCursor);
    const response = await exportListResponse(database.db, listExports["api-keys"]!, new URLSearchParams({ status: "revoked", sort: "name" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Name,Prefix,Scopes,Created,Created by,Revoked,Revoked by");
    expect(lines.slice(1).map((line) => line.split(",")[1])).toEqual((await keys({ status: "revoked", sort: "name", limit: 100 })).map((key) => key.prefix));
    const refused = await exportListResponse(database.db, listExports["api-keys"]!, new URLSearchParams({ scope: "everything" }));
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "scope" } });
  });
});
