import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listWebhookEventsView, listWebhookEventTypes, webhookEventSortKeys, type ListWebhookEventsViewInput } from "./list-webhook-events-view";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // Received in bursts (ties on received_at), Stripe's created times out of order.
  await database.db.execute(sql`
    insert into stripe_webhook_events (id, type, created, payload, received_at, status, attempts, last_error)
    select 'evt_' || lpad(g::text, 4, '0'), (array['invoice.paid','charge.succeeded','customer.updated'])[1 + g % 3],
           timestamptz '2026-01-01' + ((g * 37) % 101) * interval '1 minute', '{}'::jsonb,
           timestamptz '2026-01-02' + (g / 5) * interval '1 second',
           (array['processed','pending','failed','parked'])[1 + g % 4], g % 4, case when g % 4 >= 2 then 'boom' end
    from generate_series(1, 120) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListWebhookEventsViewInput, "cursor">): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listWebhookEventsView(database.db, { ...input, cursor });
    ids.push(...result.items.map((event) => event.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listWebhookEventsView", () => {
  it("pages every event once in the order of each sort, both directions, with and without a status or type filter", async () => {
    const columns = { received: "received_at", created: "created" };
    for (const sort of webhookEventSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const filter of [{}, { status: "failed" as const }, { type: "invoice.paid" }, { status: "parked" as const, type: "charge.succeeded" }]) {
          const where = sql.join(
            [sql`true`, ...("status" in filter ? [sql`status = ${filter.status}`] : []), ...("type" in filter ? [sql`type = ${filter.type}`] : [])],
            sql` and `,
          );
          const expected = await executeRows<{ id: string }>(database.db, sql`select id from stripe_webhook_events where ${where} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
          for (const limit of [1, 7, 500]) expect(await all({ ...filter, sort, direction, limit }), `${sort} ${direction} ${JSON.stringify(filter)} ${limit}`).toEqual(expected.map((row) => row.id));
        }
      }
    }
  });

  it("lists newest first by default, finds an event by the start of its id, and lists the types received", async () => {
    const page = await listWebhookEventsView(database.db, { limit: 3 });
    expect(page.items.map((event) => event.id)).toEqual(["evt_0120", "evt_0119", "evt_0118"]);
    expect(await all({ search: "evt_011", limit: 4 })).toEqual(Array.from({ length: 10 }, (_, index) => `evt_011${9 - index}`));
    expect(await listWebhookEventTypes(database.db)).toEqual(["charge.succeeded", "customer.updated", "invoice.paid"]);
  });

  it("refuses a cursor of another sort, and exports the view", async () => {
    const first = await listWebhookEventsView(database.db, { limit: 3 });
    await listWebhookEventsView(database.db, { sort: "created", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports["webhook-events"]!, new URLSearchParams({ status: "failed", sort: "created", dir: "desc" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Event,Type,Status");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(await all({ status: "failed", sort: "created", direction: "desc", limit: 100 }));
  });
});
