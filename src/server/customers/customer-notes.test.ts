import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customers } from "@/db/schema";
import { executeRows } from "@/db/execute";
import type { Actor } from "@/server/audit/actor";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { addCustomerNote, listCustomerNotes } from "./customer-notes";

let database: TestDatabase;
const support: Actor = { type: "user", id: "00000000-0000-4000-8000-0000000000aa", label: "support@tally.test" };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("customer notes", () => {
  it("adds notes with their author, audits each one, and pages them newest first", async () => {
    const { db } = database;
    const [customer] = await db.insert(customers).values({ externalId: "cus_notes", name: "Notes Inc", email: "notes@example.test", kind: "team" }).returning();
    for (const body of ["Called about the March invoice.", "Promised a $20 credit.", "Credit issued, customer happy."]) {
      await addCustomerNote(db, { customerId: customer!.id, body: `  ${body}  ` }, { actor: support });
    }
    const first = await listCustomerNotes(db, { customerId: customer!.id, limit: 2 });
    expect(first.items.map((note) => note.body)).toEqual(["Credit issued, customer happy.", "Promised a $20 credit."]);
    expect(first.items[0]!.authorLabel).toBe("support@tally.test");
    const second = await listCustomerNotes(db, { customerId: customer!.id, limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((note) => note.body)).toEqual(["Called about the March invoice."]);
    expect(second.nextCursor).toBeNull();
    const audit = await executeRows<{ count: string }>(db, sql`select count(*)::text as count from audit_log where action = 'customer.note.add' and object_id = ${customer!.id}`);
    expect(audit[0]!.count).toBe("3");
  });

  it("refuses an empty note and an unknown customer, with codes, and writes nothing", async () => {
    const { db } = database;
    const [customer] = await db.insert(customers).values({ externalId: "cus_notes_2", name: "Empty Ltd", email: "empty@example.test", kind: "team" }).returning();
    await expect(addCustomerNote(db, { customerId: customer!.id, body: "   " }, { actor: support })).rejects.toMatchObject({ code: "invalid_note" });
    await expect(addCustomerNote(db, { customerId: "00000000-0000-4000-8000-000000000000", body: "Hello" }, { actor: support })).rejects.toMatchObject({ code: "customer_not_found" });
    expect((await listCustomerNotes(db, { customerId: customer!.id })).items).toEqual([]);
  });
});
