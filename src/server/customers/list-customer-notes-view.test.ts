import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { countCustomerNotes, customerNoteSortKeys, listCustomerNoteAuthors, listCustomerNotesView, type ListCustomerNotesViewInput } from "./list-customer-notes-view";

/* Issue 15: the customer page shows the newest 20 notes; the notes page has every one, paged, sorted, filtered and exported. */
let database: TestDatabase;
let customerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  customerId = await createTestCustomer(database.db);
  const other = await createTestCustomer(database.db);
  // 75 notes by three authors, written in bursts (ties on created_at and on author), one with a LIKE wildcard; another customer's 5 must never show.
  await database.db.execute(sql`
    insert into customer_notes (customer_id, body, author_id, author_label, created_at)
    select ${customerId}::uuid,
           case when g = 7 then 'Refund of 100% agreed' when g % 5 = 0 then 'Called about the invoice #' || g else 'Note ' || g end,
           (array['user-a','user-b','system:dunning'])[1 + g % 3], (array['ann@tally.test','bob@tally.test','Dunning'])[1 + g % 3],
           timestamptz '2026-02-01' + (g / 4) * interval '1 minute'
    from generate_series(1, 75) g`);
  await database.db.execute(sql`
    insert into customer_notes (customer_id, body, author_id, author_label, created_at)
    select ${other}::uuid, 'Called about the invoice (other)', 'user-a', 'ann@tally.test', timestamptz '2026-02-01' from generate_series(1, 5) g`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListCustomerNotesViewInput, "cursor" | "customerId">): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listCustomerNotesView(database.db, { ...input, customerId, cursor });
    ids.push(...result.items.map((note) => note.id));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listCustomerNotesView", () => {
  it("pages every note of the customer once, in the order of each sort, both directions, with and without an author or words", async () => {
    const columns = { created: "created_at", author: "author_label" };
    for (const sort of customerNoteSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const filter of [{}, { author: "user-b" }, { search: "called about" }, { author: "user-a", search: "INVOICE" }]) {
          const where = sql.join(
            [
              sql`customer_id = ${customerId}::uuid`,
              ...("author" in filter ? [sql`author_id = ${filter.author}`] : []),
              ...("search" in filter ? [sql`body ilike ${`%${filter.search}%`}`] : []),
            ],
            sql` and `,
          );
          const expected = await executeRows<{ id: string }>(database.db, sql`select id from customer_notes where ${where} order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
          expect(expected.length).toBeGreaterThan(0);
          for (const limit of [1, 7, 500]) expect(await all({ ...filter, sort, direction, limit }), `${sort} ${direction} ${JSON.stringify(filter)} ${limit}`).toEqual(expected.map((row) => row.id));
        }
      }
    }
  });

  it("lists newest first by default, takes a % in the words literally, names the authors and counts the notes", async () => {
    // Notes 72 to 75 share the newest minute (their order among themselves is by id).
    const page = await listCustomerNotesView(database.db, { customerId, limit: 4 });
    expect(page.items.map((note) => note.body).sort()).toEqual(["Called about the invoice #75", "Note 72", "Note 73", "Note 74"]);
    const percent = await listCustomerNotesView(database.db, { customerId, search: "100%", limit: 50 });
    expect(percent.items.map((note) => note.body)).toEqual(["Refund of 100% agreed"]);
    expect((await listCustomerNotesView(database.db, { customerId, search: "0%", limit: 50 })).items.map((note) => note.body)).toEqual(["Refund of 100% agreed"]);
    expect(await listCustomerNoteAuthors(database.db, customerId)).toEqual([
      { id: "user-a", label: "ann@tally.test" },
      { id: "user-b", label: "bob@tally.test" },
      { id: "system:dunning", label: "Dunning" },
    ]);
    expect(await countCustomerNotes(database.db, customerId)).toBe(75);
  });

  it("refuses a cursor of another sort, and exports the customer's view (and only with the customer)", async () => {
    const first = await listCustomerNotesView(database.db, { customerId, limit: 3 });
    await listCustomerNotesView(database.db, { customerId, sort: "author", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports["customer-notes"]!, new URLSearchParams({ customer: customerId, q: "called about", sort: "author", dir: "desc" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Written,Author,Author id,Note");
    expect(lines.length - 1).toBe(15);
    expect(lines.slice(1).every((line) => line.includes("Called about the invoice #"))).toBe(true);
    expect(lines[1]).toContain(",bob@tally.test,");
    const refused = await exportListResponse(database.db, listExports["customer-notes"]!, new URLSearchParams({ q: "called" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "customer" } });
  });
});
