import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
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

/* Issue 15: the customer page shows a customer's newest 20 events; the events list filters by that customer, every event paged. */
describe("listWebhookEventsView for one customer", () => {
  let byCustomer: TestDatabase;
  let single: string;
  let relinked: string;
  let unsynced: string;
  beforeAll(async () => {
    byCustomer = await createTestDatabase();
    [single, relinked, unsynced] = await Promise.all([createTestCustomer(byCustomer.db), createTestCustomer(byCustomer.db), createTestCustomer(byCustomer.db)]);
    // `relinked` was linked to a Stripe customer since deleted, then to a new one: both are its events.
    await byCustomer.db.execute(sql`
      insert into stripe_customers (stripe_id, customer_id, stripe_created, deleted) values
        ('cus_single', ${single}::uuid, now(), false), ('cus_old', ${relinked}::uuid, now(), true), ('cus_new', ${relinked}::uuid, now(), false)`);
    await byCustomer.db.execute(sql`
      insert into stripe_webhook_events (id, type, created, payload, received_at, status, stripe_customer_id)
      select 'evt_' || lpad(g::text, 4, '0'), (array['invoice.paid','charge.succeeded','customer.updated'])[1 + g % 3],
             timestamptz '2026-01-01' + ((g * 37) % 101) * interval '1 minute', '{}'::jsonb,
             timestamptz '2026-01-02' + (g / 5) * interval '1 second',
             (array['processed','pending','failed','parked'])[1 + g % 4],
             (array['cus_single','cus_old','cus_new','cus_stranger',null])[1 + g % 5]
      from generate_series(1, 200) g`);
  });
  afterAll(async () => {
    await byCustomer.drop();
  });

  async function allOf(input: Omit<ListWebhookEventsViewInput, "cursor">): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 500; page++) {
      const result = await listWebhookEventsView(byCustomer.db, { ...input, cursor });
      ids.push(...result.items.map((event) => event.id));
      if (!result.nextCursor) return ids;
      cursor = result.nextCursor;
    }
    throw new Error("too many pages");
  }

  it("pages every event of the customer's Stripe customers once, in each sort and direction, with and without a status or type", async () => {
    const columns = { received: "received_at", created: "created" };
    const linked = { single: ["cus_single"], relinked: ["cus_old", "cus_new"] };
    for (const [who, stripeIds] of Object.entries(linked)) {
      const customerId = who === "single" ? single : relinked;
      for (const sort of webhookEventSortKeys) {
        for (const direction of ["asc", "desc"] as const) {
          for (const filter of [{}, { status: "failed" as const }, { type: "invoice.paid" }]) {
            const where = sql.join(
              [
                sql`stripe_customer_id in ${stripeIds}`,
                ...("status" in filter ? [sql`status = ${filter.status}`] : []),
                ...("type" in filter ? [sql`type = ${filter.type}`] : []),
              ],
              sql` and `,
            );
            const expected = await executeRows<{ id: string }>(byCustomer.db, sql`select id from stripe_webhook_events where ${where} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
            expect(expected.length).toBeGreaterThan(0);
            for (const limit of [1, 7, 500]) expect(await allOf({ ...filter, customerId, sort, direction, limit }), `${who} ${sort} ${direction} ${JSON.stringify(filter)} ${limit}`).toEqual(expected.map((row) => row.id));
          }
        }
      }
    }
  });

  it("lists nothing for a customer never synced to Stripe, and exports the customer's view", async () => {
    expect(await listWebhookEventsView(byCustomer.db, { customerId: unsynced, limit: 50 })).toEqual({ items: [], nextCursor: null });
    const response = await exportListResponse(byCustomer.db, listExports["webhook-events"]!, new URLSearchParams({ customer: single, status: "processed" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines.length - 1).toBe(10);
    expect(lines.slice(1).every((line) => line.endsWith(",cus_single") && line.includes(",processed,"))).toBe(true);
    const refused = await exportListResponse(byCustomer.db, listExports["webhook-events"]!, new URLSearchParams({ customer: "cus_single" }));
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "customer" } });
  });
});
