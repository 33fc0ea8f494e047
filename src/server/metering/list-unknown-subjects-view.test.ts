import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { systemActor } from "@/server/audit/actor";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { attachUnknownEvents } from "./attach-unknown-events";
import { ingestEvents } from "./ingest-events";
import { listUnknownSubjectsView, unknownSubjectSortKeys, type ListUnknownSubjectsViewInput } from "./list-unknown-subjects-view";
import { rollUpAll } from "./roll-up-all";
import { rollupCursorName } from "./rollup-sql";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  // 90 subjects with ties in every sort (events, first and last event); every third has a customer now.
  await database.db.execute(sql`
    insert into metering_unknown_subjects (subject, events, first_occurred_at, last_occurred_at)
    select 'usr_' || lpad(g::text, 3, '0'), 1 + g % 7, timestamptz '2026-01-01' + (g % 5) * interval '1 hour', timestamptz '2026-02-01' + (g % 4) * interval '1 day'
    from generate_series(1, 90) g`);
  await database.db.execute(sql`
    insert into customers (external_id, name, email, kind)
    select 'usr_' || lpad(g::text, 3, '0'), 'Customer ' || g, 'c' || g || '@example.com', 'individual' from generate_series(3, 90, 3) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListUnknownSubjectsViewInput, "cursor">): Promise<string[]> {
  const subjects: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listUnknownSubjectsView(database.db, { ...input, cursor });
    subjects.push(...result.items.map((row) => row.subject));
    if (!result.nextCursor) return subjects;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listUnknownSubjectsView", () => {
  it("pages every subject once in the order of each sort, both directions, with and without the customer filter", async () => {
    const columns = { events: "events", subject: "subject", first: "first_occurred_at", last: "last_occurred_at" };
    const customerFilters = { found: sql`exists (select 1 from customers c where c.external_id = subject)`, none: sql`not exists (select 1 from customers c where c.external_id = subject)` };
    for (const sort of unknownSubjectSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const customer of [undefined, "found", "none"] as const) {
          const where = customer ? customerFilters[customer] : sql`true`;
          const expected = await executeRows<{ subject: string }>(
            database.db,
            sql`select subject from metering_unknown_subjects where ${where} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, subject ${sql.raw(direction)}`,
          );
          expect(expected.length).toBeGreaterThan(20);
          for (const limit of [1, 7, 500]) expect(await all({ customer, sort, direction, limit }), `${sort} ${direction} ${customer} ${limit}`).toEqual(expected.map((row) => row.subject));
        }
      }
    }
  });

  it("lists most events first by default, with the customer found since, and finds subjects by their start", async () => {
    const page = await listUnknownSubjectsView(database.db, { limit: 3 });
    expect(page.items.map((row) => [row.subject, row.events, row.customer?.name ?? null])).toEqual([
      ["usr_090", 7, "Customer 90"],
      ["usr_083", 7, null],
      ["usr_076", 7, null],
    ]);
    expect(await all({ search: "usr_08", sort: "subject", limit: 4 })).toEqual(Array.from({ length: 10 }, (_, index) => `usr_08${index}`));
    expect(await all({ search: "usr_%", limit: 4 })).toEqual([]);
  });

  it("refuses a cursor of another sort, and exports the view", async () => {
    const first = await listUnknownSubjectsView(database.db, { limit: 3 });
    await listUnknownSubjectsView(database.db, { sort: "last", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports["unknown-subjects"]!, new URLSearchParams({ customer: "found", sort: "first", dir: "desc" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Subject,Events,First event,Last event,Customer,Customer id");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(await all({ customer: "found", sort: "first", direction: "desc", limit: 100 }));
    expect(lines[1]).toMatch(/^usr_\d{3},\d,2026-01-01T0\d:00:00.000Z,2026-02-0\dT00:00:00.000Z,Customer \d+,[0-9a-f-]{36}$/);
  });

  it("pages a subject of 256 characters, whatever the sort", async () => {
    const long = `usr_${"ü".repeat(252)}`;
    await database.db.execute(sql`insert into metering_unknown_subjects (subject, events, first_occurred_at, last_occurred_at) values (${long}, 3, now(), now())`);
    try {
      for (const sort of unknownSubjectSortKeys) {
        const subjects = await all({ sort, limit: 1 });
        expect(subjects.filter((subject) => subject === long), sort).toHaveLength(1);
        expect(subjects).toHaveLength(91);
      }
    } finally {
      await database.db.execute(sql`delete from metering_unknown_subjects where subject = ${long}`);
    }
  });
});

describe("unknown subject counts kept by the rollup claim", () => {
  it("equal a grouping of the raw events after batches, retries and roll-ups, and a subject leaves the list when its events are attached", async () => {
    const database = await createTestDatabase({ poolMax: 2 });
    try {
      const at = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
      const batch = [
        cloudEvent({ id: "a1", subject: "usr_a", time: at(5) }),
        cloudEvent({ id: "a2", subject: "usr_a", time: at(1) }),
        cloudEvent({ id: "b1", subject: "usr_b", time: at(3) }),
      ];
      await ingestEvents(database.db, batch);
      await ingestEvents(database.db, batch);
      await rollUpAll(database.db);
      await ingestEvents(database.db, [cloudEvent({ id: "a3", subject: "usr_a", time: at(9) }), cloudEvent({ id: "b2", subject: "usr_b", time: at(2) })]);
      await rollUpAll(database.db);
      const kept = sql`select subject, events::int as events, first_occurred_at, last_occurred_at from metering_unknown_subjects order by subject`;
      const raw = sql`select subject, count(*)::int as events, min(occurred_at) as first_occurred_at, max(occurred_at) as last_occurred_at
                      from usage_events where customer_id is null group by subject order by subject`;
      expect(await executeRows(database.db, kept)).toEqual(await executeRows(database.db, raw));
      expect((await listUnknownSubjectsView(database.db, { limit: 10 })).items.map((row) => [row.subject, row.events])).toEqual([
        ["usr_a", 3],
        ["usr_b", 2],
      ]);
      await database.db.execute(sql`insert into customers (external_id, name, email, kind) values ('usr_a', 'A', 'a@example.com', 'individual')`);
      await ingestEvents(database.db, [cloudEvent({ id: "a4", subject: "usr_a", time: at(1) })]);
      await rollUpAll(database.db);
      expect((await listUnknownSubjectsView(database.db, { limit: 10 })).items.map((row) => [row.subject, row.events, row.customer?.name ?? null])).toEqual([
        ["usr_a", 3, "A"],
        ["usr_b", 2, null],
      ]);
      expect(await attachUnknownEvents(database.db, { externalId: "usr_a", actor: systemActor("test") })).toEqual({ attached: 3 });
      expect((await listUnknownSubjectsView(database.db, { limit: 10 })).items.map((row) => row.subject)).toEqual(["usr_b"]);
      expect(await executeRows(database.db, kept)).toEqual(await executeRows(database.db, raw));
    } finally {
      await database.drop();
    }
  });

  it("an attach waits for a claim in flight, so a count read before the attach does not bring the subject back", async () => {
    const database = await createTestDatabase({ poolMax: 4 });
    try {
      await ingestEvents(database.db, [cloudEvent({ id: "c1", subject: "usr_c" })]);
      await database.db.execute(sql`insert into customers (external_id, name, email, kind) values ('usr_c', 'C', 'c@example.com', 'individual')`);
      await database.db.execute(sql`insert into metering_cursors (name) values (${rollupCursorName}) on conflict do nothing`);
      // A claim in flight: it holds the cursor and counts usr_c's event, read before the attach.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let counted!: () => void;
      const countedSignal = new Promise<void>((resolve) => (counted = resolve));
      const claim = database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1 from metering_cursors where name = ${rollupCursorName} for update`);
        await tx.execute(sql`insert into metering_unknown_subjects (subject, events, first_occurred_at, last_occurred_at) values ('usr_c', 1, now(), now())`);
        counted();
        await held;
      });
      await countedSignal;
      let attachDone = false;
      const attach = attachUnknownEvents(database.db, { externalId: "usr_c", actor: systemActor("test") }).then((result) => {
        attachDone = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(attachDone).toBe(false);
      release();
      await claim;
      expect(await attach).toEqual({ attached: 1 });
      expect(await executeRows(database.db, sql`select subject from metering_unknown_subjects`)).toEqual([]);
      await rollUpAll(database.db);
      expect(await executeRows(database.db, sql`select subject from metering_unknown_subjects`)).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
