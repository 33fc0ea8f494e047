import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { endpointSortKeys, listAutoDisabledEndpoints, listWebhookEndpointsView } from "./list-webhook-endpoints-view";
import { deliveryLogAttempts, deliverySortKeys, listWebhookDeliveriesView, type ListDeliveriesViewInput } from "./list-webhook-deliveries-view";

let database: TestDatabase;
let endpoint: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const endpoints = await executeRows<{ id: string }>(
    database.db,
    sql`insert into webhook_endpoints (url, event_types, secret, created_by) values ('https://a.test/h', '{*}', 'whsec_a', 't'), ('https://b.test/h', '{*}', 'whsec_b', 't') returning id`,
  );
  endpoint = endpoints[0]!.id;
  await database.db.execute(sql`
    insert into webhook_events (id, type, body, created_at)
    select 'msg_' || g, (array['invoice.finalized','customer.updated'])[1 + g % 2], '{"n":' || g || '}', timestamptz '2026-01-01' + (g / 4) * interval '1 minute'
    from generate_series(1, 90) g`);
  // Both endpoints get every event: the other endpoint's deliveries must never show.
  await database.db.execute(sql`
    insert into webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at, last_status_code)
    select e.id, m.id, (array['delivered','pending','failed'])[1 + m.sequence::int % 3], (m.sequence % 5)::int, m.created_at, m.created_at, 500
    from webhook_endpoints e cross join webhook_events m`);
  const [busy] = await executeRows<{ id: string }>(database.db, sql`select id from webhook_deliveries where endpoint_id = ${endpoint}::uuid order by created_at desc, id desc limit 1`);
  await database.db.execute(sql`
    insert into webhook_delivery_attempts (delivery_id, endpoint_id, trigger, request_headers, status_code, duration_ms, attempted_at)
    select ${busy!.id}::uuid, ${endpoint}::uuid, 'automatic', '{}'::jsonb, 500, 10, timestamptz '2026-02-01' + g * interval '1 minute' from generate_series(1, 30) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListDeliveriesViewInput, "cursor" | "endpointId">): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listWebhookDeliveriesView(database.db, { ...input, endpointId: endpoint, cursor });
    ids.push(...result.items.map((delivery) => delivery.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listWebhookDeliveriesView", () => {
  it("pages one endpoint's deliveries once in the order of each sort, both directions, with and without a status filter", async () => {
    const columns = { created: "created_at", attempts: "attempts" };
    for (const sort of deliverySortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const status of [undefined, "failed" as const]) {
          const expected = await executeRows<{ id: string }>(
            database.db,
            sql`select id from webhook_deliveries where endpoint_id = ${endpoint}::uuid and (${status ?? null}::text is null or status = ${status ?? null})
                order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`,
          );
          for (const limit of [1, 8, 200]) expect(await all({ sort, direction, status, limit }), `${sort} ${direction} ${status} ${limit}`).toEqual(expected.map((row) => row.id));
        }
      }
    }
  });

  it("lists newest first by default with each delivery's newest attempts", async () => {
    const page = await listWebhookDeliveriesView(database.db, { endpointId: endpoint, limit: 2 });
    expect(page.items[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(page.items[1]!.createdAt.getTime());
    expect(page.items[0]!.log.length).toBe(deliveryLogAttempts);
    expect(page.items[0]!.log[0]!.attemptedAt.toISOString()).toBe("2026-02-01T00:30:00.000Z");
    expect(page.items[1]!.log).toEqual([]);
  });

  it("refuses a cursor of another sort, and exports the view of one endpoint", async () => {
    const first = await listWebhookDeliveriesView(database.db, { endpointId: endpoint, limit: 3 });
    await listWebhookDeliveriesView(database.db, { endpointId: endpoint, sort: "attempts", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports["webhook-deliveries"]!, new URLSearchParams({ endpoint, status: "pending", sort: "attempts", dir: "desc" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Delivery,Webhook id,Event type,Status,Attempts,Last HTTP status,Last error,Created,Delivered");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(await all({ status: "pending", sort: "attempts", direction: "desc", limit: 100 }));
  });
});

describe("listWebhookEndpointsView", () => {
  beforeAll(async () => {
    await database.db.execute(sql`
      insert into webhook_endpoints (url, description, event_types, secret, created_by, status, disabled_reason, failing_since, created_at)
      select 'https://h' || g || '.test/hook', 'hook ' || g, '{*}', 'whsec', 't', case when g % 4 = 0 then 'disabled' else 'enabled' end,
             case when g % 8 = 0 then 'Every delivery failed for three days' when g % 4 = 0 then 'Disabled by someone' end,
             case when g % 4 = 1 then timestamptz '2026-01-01' end, timestamptz '2026-01-01' + (g / 3) * interval '1 hour'
      from generate_series(1, 40) g`);
  });

  it("pages every endpoint once in the order of each sort, both directions; counts deliveries of the page's endpoints", async () => {
    const columns = { created: "created_at", url: "url" };
    for (const sort of endpointSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        const expected = await executeRows<{ id: string }>(database.db, sql`select id from webhook_endpoints order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
        for (const limit of [1, 7, 100]) {
          const ids: string[] = [];
          let cursor: string | undefined;
          for (;;) {
            const page = await listWebhookEndpointsView(database.db, { sort, direction, limit, cursor });
            ids.push(...page.items.map((endpoint) => endpoint.id));
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          expect(ids, `${sort} ${direction} ${limit}`).toEqual(expected.map((row) => row.id));
        }
      }
    }
    const [first] = (await listWebhookEndpointsView(database.db, { search: "a.test", limit: 5 })).items;
    expect(first).toMatchObject({ id: endpoint, delivered: 30, pending: 30, failed: 30 });
    expect(first).not.toHaveProperty("secret");
  });

  it("filters by state and URL, and lists the endpoints Tally disabled", async () => {
    const failing = await listWebhookEndpointsView(database.db, { state: "failing", limit: 100 });
    expect(failing.items.length).toBe(10);
    expect(failing.items.every((endpoint) => endpoint.status === "enabled" && endpoint.failingSince !== null)).toBe(true);
    expect((await listWebhookEndpointsView(database.db, { state: "disabled", limit: 100 })).items.length).toBe(10);
    expect((await listWebhookEndpointsView(database.db, { search: "H1", limit: 100 })).items.map((endpoint) => endpoint.url).sort()).toEqual(
      [1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((g) => `https://h${g}.test/hook`).sort(),
    );
    expect((await listAutoDisabledEndpoints(database.db)).length).toBe(5);
    const response = await exportListResponse(database.db, listExports["webhook-endpoints"]!, new URLSearchParams({ state: "failing", sort: "url" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual((await listWebhookEndpointsView(database.db, { state: "failing", sort: "url", limit: 100 })).items.map((endpoint) => endpoint.url));
  });
});
