import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { apiRequestSortKeys, listApiRequestKeyOptions, listApiRequestsView, type ListApiRequestsViewInput } from "./list-api-requests-view";

/* Issue 15: the customer page shows the newest 15 API requests; the API activity page has every one, paged, sorted, filtered and exported. */
let database: TestDatabase;
let customerId: string;
let keyIds: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  customerId = await createTestCustomer(database.db);
  const other = await createTestCustomer(database.db);
  const keys = await executeRows<{ id: string }>(
    database.db,
    sql`insert into api_keys (name, prefix, key_hash, scopes, created_by) values
          ('Backend', 'tly_live_Ab', 'hash-a', '{}', 'test'), ('billing worker', 'tly_live_Cd', 'hash-b', '{}', 'test') returning id`,
  );
  keyIds = keys.map((key) => key.id);
  // 90 requests in bursts (ties on created_at), few distinct durations (ties), three answer classes, two keys and none; another customer's 6 must never show.
  await database.db.execute(sql`
    insert into api_request_log (request_id, api_key_id, operation_id, method, path, status, error_code, customer_id, idempotency_key, replayed, duration_ms, created_at)
    select 'req_' || lpad(g::text, 3, '0'), case g % 3 when 0 then ${keyIds[0]}::uuid when 1 then ${keyIds[1]}::uuid end,
           (array['createSubscription','getCustomer','getUpcomingInvoice'])[1 + g % 3], case when g % 3 = 0 then 'POST' else 'GET' end,
           '/api/v1/customers/cus_' || g || case when g % 4 = 0 then '/upcoming_invoice' else '' end,
           (array[200, 201, 409, 422, 500])[1 + g % 5], case when g % 5 >= 2 then 'code_' || g % 5 end, ${customerId}::uuid,
           null, g % 10 = 0, 5 * (g % 6), timestamptz '2026-02-01' + (g / 3) * interval '1 second'
    from generate_series(1, 90) g`);
  await database.db.execute(sql`
    insert into api_request_log (request_id, method, path, status, customer_id, duration_ms, created_at)
    select 'req_other_' || g, 'GET', '/api/v1/customers/x/upcoming_invoice', 200, ${other}::uuid, 1, timestamptz '2026-02-01' from generate_series(1, 6) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListApiRequestsViewInput, "cursor" | "customerId">): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listApiRequestsView(database.db, { ...input, customerId, cursor });
    ids.push(...result.items.map((request) => request.requestId));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listApiRequestsView", () => {
  it("pages every request of the customer once, in the order of each sort, both directions, with and without filters", async () => {
    const columns = { time: "created_at", duration: "duration_ms" };
    const filters: (Partial<ListApiRequestsViewInput> & { where: ReturnType<typeof sql>[] })[] = [
      { where: [] },
      { statusClass: "4xx", where: [sql`status between 400 and 499`] },
      { statusClass: "2xx", method: "POST", where: [sql`status between 100 and 399`, sql`method = 'POST'`] },
      { operationId: "getCustomer", where: [sql`operation_id = 'getCustomer'`] },
      { apiKeyId: "key0", where: [sql`api_key_id = (select id from api_keys where key_hash = 'hash-a')`] },
      { search: "upcoming", where: [sql`path ilike '%upcoming%'`] },
      { search: "req_04", statusClass: "5xx", where: [sql`(request_id like 'req_04%' or path ilike '%req_04%')`, sql`status between 500 and 599`] },
    ];
    for (const sort of apiRequestSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const { where, ...filter } of filters) {
          const input = { ...filter, apiKeyId: filter.apiKeyId ? keyIds[0] : undefined };
          const condition = sql.join([sql`customer_id = ${customerId}::uuid`, ...where], sql` and `);
          const expected = await executeRows<{ request_id: string }>(
            database.db,
            sql`select request_id from api_request_log where ${condition} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`,
          );
          expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
          for (const limit of [1, 7, 500]) expect(await all({ ...input, sort, direction, limit }), `${sort} ${direction} ${JSON.stringify(filter)} ${limit}`).toEqual(expected.map((row) => row.request_id));
        }
      }
    }
  });

  it("lists newest first by default with the key's name, and offers every key for the filter", async () => {
    const page = await listApiRequestsView(database.db, { customerId, limit: 2 });
    expect(page.items.map((request) => [request.requestId, request.keyName])).toEqual([
      ["req_090", "Backend"],
      ["req_089", null],
    ]);
    expect((await listApiRequestKeyOptions(database.db)).map((key) => key.name)).toEqual(["Backend", "billing worker"]);
  });

  it("refuses a cursor of another sort, and exports the customer's view (and only with the customer)", async () => {
    const first = await listApiRequestsView(database.db, { customerId, limit: 3 });
    await listApiRequestsView(database.db, { customerId, sort: "duration", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports["api-activity"]!, new URLSearchParams({ customer: customerId, status: "5xx", sort: "duration", dir: "desc" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("When,Request id,Method,Path,Operation,HTTP status");
    expect(lines.slice(1).map((line) => line.split(",")[1])).toEqual(await all({ statusClass: "5xx", sort: "duration", direction: "desc", limit: 100 }));
    expect(lines).toHaveLength(1 + 18);
    const refused = await exportListResponse(database.db, listExports["api-activity"]!, new URLSearchParams({ customer: customerId, status: "3xx" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "status" } });
  });
});
