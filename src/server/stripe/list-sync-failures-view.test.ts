import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import type { StripeSyncFailureRow } from "@/db/schema";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listSyncFailureKinds, listSyncFailuresView, type ListSyncFailuresViewInput } from "./list-sync-failures-view";

/* Issue 15: the Stripe page showed the newest 50 sync failures; now every one pages, filters and exports. */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  // 180 failures, ties in time, three operations and two object types.
  await executeRows(
    database.db,
    sql`insert into stripe_sync_failures (operation, object_type, object_id, idempotency_key, http_status, error_type, error_code, message, occurred_at)
        select (array['customer.create','subscription.update','invoice.finalize'])[1 + g % 3], case when g % 3 = 2 then 'invoice' else 'customer' end,
               'obj_' || (g % 60), 'key-' || g, 400, 'invalid_request_error', 'resource_missing', 'No such thing ' || g,
               '2026-11-01T00:00:00Z'::timestamptz + ((g % 29) || ' minutes')::interval
        from generate_series(1, 180) g`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListSyncFailuresViewInput, "cursor">): Promise<StripeSyncFailureRow[]> {
  const seen: StripeSyncFailureRow[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listSyncFailuresView(database.db, { ...input, cursor });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

describe("listSyncFailuresView", () => {
  it("pages through every matching failure exactly once, in time order, for any direction, page size, operation, object type and object id", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, "asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(undefined, "customer.create", "invoice.finalize"),
        fc.constantFrom(undefined, "customer", "invoice"),
        fc.constantFrom(undefined, "obj_1", "obj_42", "nothing"),
        async (direction, limit, operation, objectType, search) => {
          const seen = await everyPage({ direction, limit, operation, objectType, search });
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from stripe_sync_failures
                where (${operation ?? null}::text is null or operation = ${operation ?? null}) and (${objectType ?? null}::text is null or object_type = ${objectType ?? null})
                  and (${search ?? null}::text is null or object_id like ${search ?? ""} || '%')`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          const effective = direction ?? "desc";
          for (let index = 0; index < seen.length; index++) {
            const row = seen[index]!;
            if (operation) expect(row.operation).toBe(operation);
            if (objectType) expect(row.objectType).toBe(objectType);
            if (search) expect(row.objectId.startsWith(search)).toBe(true);
            if (index === 0) continue;
            const [previous, current] = [seen[index - 1]!.occurredAt.getTime(), row.occurredAt.getTime()];
            expect(effective === "asc" ? previous <= current : previous >= current).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("names the operations and object types for the filters", async () => {
    expect(await listSyncFailureKinds(database.db)).toEqual({ operations: ["customer.create", "invoice.finalize", "subscription.update"], objectTypes: ["customer", "invoice"] });
  });

  it("exports the view as CSV, and refuses a bad direction with 400", async () => {
    const response = await exportListResponse(database.db, listExports["stripe-sync-failures"]!, new URLSearchParams({ operation: "invoice.finalize" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Stripe said");
    expect(lines.length - 1).toBe(60);
    expect(lines.slice(1).every((line) => line.includes(",invoice.finalize,"))).toBe(true);
    const refused = await exportListResponse(database.db, listExports["stripe-sync-failures"]!, new URLSearchParams({ dir: "up" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "dir" } });
  });
});
