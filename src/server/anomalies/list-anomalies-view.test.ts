import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { anomalyKinds, anomalySeverities, type AnomalyStatus } from "@/db/schema";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { createCaller } from "@/server/api/root";
import { systemClock } from "@/server/clock";
import { getUserByEmail } from "@/server/users/get-user";
import { seedUsers } from "@/server/users/seed-users";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import type { AnomalyListItem } from "./list-anomalies";
import { anomalySortKeys, listAnomaliesView, type ListAnomaliesViewInput } from "./list-anomalies-view";

/* Issue 15: the anomaly queue on the DataTable: every anomaly pages, sorts both ways, filters and exports. */
let database: TestDatabase;
let supportUserId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedUsers(database.db);
  supportUserId = (await getUserByEmail(database.db, "support@tally.test"))!.id;
  await executeRows(database.db, sql`insert into customers (external_id, name, email, kind) select 'an_' || g, 'Anomalous Co ' || g, 'an' || g || '@example.com', 'team' from generate_series(1, 5) g`);
  // 240 anomalies (far past a page), every status, kind and severity, some unestimated, ties in impact and time, some without a customer.
  await executeRows(
    database.db,
    sql`insert into anomalies (kind, status, severity, customer_id, subject, window_start, window_end, title, impact_micros, assignee_id, first_detected_at, last_detected_at, closed_at)
        select (array['usage_spike','usage_drop','invoice_jump','duplicate_charge','payment_failure','reconciliation','credit_burn','spend_limit','job_failure'])[1 + g % 9],
               (array['open','acknowledged','resolved','dismissed','auto_resolved','open'])[1 + g % 6],
               (array['low','medium','high','critical'])[1 + g % 4],
               case when g % 11 = 0 then null else (select id from customers where external_id = 'an_' || (1 + g % 5)) end,
               'meter:m' || g, '2026-06-01T00:00:00Z'::timestamptz + (g || ' minutes')::interval, '2026-06-02T00:00:00Z'::timestamptz, 'planted ' || g,
               case when g % 7 = 0 then null else (g % 9) * 1000000 end,
               case when g % 3 = 0 then ${supportUserId}::uuid end,
               '2026-06-10T00:00:00Z'::timestamptz + ((g % 13) || ' hours')::interval, now(),
               case when (array['open','acknowledged','resolved','dismissed','auto_resolved','open'])[1 + g % 6] in ('open', 'acknowledged') then null else now() end
        from generate_series(1, 240) g`,
  );
});
afterAll(async () => {
  await database.drop();
});

async function everyPage(input: Omit<ListAnomaliesViewInput, "cursor">): Promise<AnomalyListItem[]> {
  const seen: AnomalyListItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listAnomaliesView(database.db, { ...input, cursor });
    seen.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return seen;
}

const lowest = -(2n ** 63n);

describe("listAnomaliesView", () => {
  it("pages through every matching anomaly exactly once, in order, for any sort, direction, page size and filters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, ...anomalySortKeys),
        fc.constantFrom(undefined, "asc" as const, "desc" as const),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(undefined, "active" as const, "all" as const, "open" as const, "resolved" as const),
        fc.constantFrom(undefined, ...anomalyKinds.slice(0, 3)),
        fc.constantFrom(undefined, ...anomalySeverities.slice(1, 3)),
        fc.constantFrom(undefined, "an_2"),
        fc.constantFrom(undefined, "none", "support"),
        async (sort, direction, limit, status, kind, severity, customer, assignee) => {
          const assigneeId = assignee === "support" ? supportUserId : assignee;
          const seen = await everyPage({ sort, direction, limit, status, kind, severity, customer, assigneeId });
          const statuses: AnomalyStatus[] | null = status === "all" ? null : status === undefined || status === "active" ? ["open", "acknowledged"] : [status];
          const [expected] = await executeRows<{ count: number }>(
            database.db,
            sql`select count(*)::int as count from anomalies a left join customers c on c.id = a.customer_id
                where (${statuses === null} or a.status = any(string_to_array(${(statuses ?? []).join(",")}, ',')))
                  and (${kind ?? null}::text is null or a.kind = ${kind ?? null})
                  and (${severity ?? null}::text is null or a.severity = ${severity ?? null})
                  and (${customer ?? null}::text is null or c.external_id = ${customer ?? null})
                  and (${assignee ?? null}::text is null or (${assignee === "none"} and a.assignee_id is null) or a.assignee_id::text = ${assigneeId ?? null})`,
          );
          expect(new Set(seen.map((row) => row.id)).size).toBe(expected!.count);
          expect(seen).toHaveLength(expected!.count);
          for (const row of seen) {
            if (statuses) expect(statuses).toContain(row.status);
            if (kind) expect(row.kind).toBe(kind);
            if (severity) expect(row.severity).toBe(severity);
            if (customer) expect(row.customer?.externalId).toBe(customer);
            if (assignee === "none") expect(row.assignee).toBeNull();
            if (assignee === "support") expect(row.assignee?.id).toBe(supportUserId);
          }
          // Default: most money first, unestimated last.
          const effective = direction ?? (sort ? "asc" : "desc");
          const value = (row: AnomalyListItem) => (sort === "detected" ? BigInt(row.firstDetectedAt.getTime()) : (row.impactMicros ?? lowest));
          for (let index = 1; index < seen.length; index++) {
            const [previous, current] = [value(seen[index - 1]!), value(seen[index]!)];
            expect(effective === "asc" ? previous <= current : previous >= current).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("says when the customer filter names no customer, rather than finding nothing", async () => {
    expect(await listAnomaliesView(database.db, { customer: "an_nobody", limit: 10 })).toEqual({ items: [], nextCursor: null, unknownCustomer: true });
    expect((await listAnomaliesView(database.db, { customer: "x".repeat(5000), limit: 10 })).unknownCustomer).toBe(true);
    const [customer] = await executeRows<{ id: string }>(database.db, sql`select id from customers where external_id = 'an_3'`);
    const byId = await everyPage({ customer: customer!.id, status: "all", limit: 50 });
    expect(byId.length).toBeGreaterThan(0);
    expect(byId.every((row) => row.customer?.externalId === "an_3")).toBe(true);
  });

  it("refuses a cursor made for another sort", async () => {
    const first = await listAnomaliesView(database.db, { limit: 3 });
    await expect(listAnomaliesView(database.db, { sort: "detected", direction: "desc", cursor: first.nextCursor!, limit: 3 })).rejects.toMatchObject({ code: "cursor_invalid" });
  });

  it("is read through anomaly.listView by every role (assignee=me is the caller), and exported as CSV", async () => {
    const support = (await getUserByEmail(database.db, "support@tally.test"))!;
    const caller = createCaller({ db: database.db, clock: systemClock, user: { id: support.id, email: support.email, name: support.name, role: support.role } });
    const mine = await caller.anomaly.listView({ assignee: "me", status: "all", limit: 100 });
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((row) => row.assignee?.id === support.id)).toBe(true);
    const product = (await getUserByEmail(database.db, "product@tally.test"))!;
    const productCaller = createCaller({ db: database.db, clock: systemClock, user: { id: product.id, email: product.email, name: product.name, role: product.role } });
    expect((await productCaller.anomaly.listView({ assignee: "me" })).items).toEqual([]);

    const response = await exportListResponse(database.db, listExports.anomalies!, new URLSearchParams({ status: "all", kind: "usage_spike", sort: "detected", assignee: "me" }), { userId: support.id });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("At stake");
    const [expected] = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from anomalies where kind = 'usage_spike' and assignee_id = ${support.id}::uuid`);
    expect(lines.length - 1).toBe(expected!.count);
    expect(lines.slice(1).every((line) => line.includes(",usage_spike,") && line.includes("support@tally.test"))).toBe(true);
    const refused = await exportListResponse(database.db, listExports.anomalies!, new URLSearchParams({ status: "sleeping" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "status" } });
  });
});
