import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customers } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { addCustomerNote } from "@/server/customers/customer-notes";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listCustomerTimeline } from "./list-customer-timeline";

let database: TestDatabase;
const support: Actor = { type: "user", id: "00000000-0000-4000-8000-0000000000aa", label: "support@tally.test" };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("listCustomerTimeline", () => {
  it("merges the customer's sources newest first, filters by kind and pages without gaps or repeats", async () => {
    const { db } = database;
    const [customer] = await db.insert(customers).values({ externalId: "cus_timeline", name: "Timeline Co", email: "t@example.test", kind: "team" }).returning();
    const [other] = await db.insert(customers).values({ externalId: "cus_timeline_other", name: "Other Co", email: "o@example.test", kind: "team" }).returning();
    await recordAudit(db, { actor: support, action: "customer.update", objectType: "customer", objectId: customer!.id, reason: "New billing contact" });
    await addCustomerNote(db, { customerId: customer!.id, body: "Asked about March." }, { actor: support });
    await addCustomerNote(db, { customerId: customer!.id, body: "Credit promised." }, { actor: support });
    await addCustomerNote(db, { customerId: other!.id, body: "Not this customer." }, { actor: support });

    const all = await listCustomerTimeline(db, { customerId: customer!.id });
    // Each note is audited in its own transaction at the same instant: three changes, two notes, the other customer's note absent.
    expect(all.items.map((entry) => `${entry.kind}:${entry.detail ?? ""}`).sort()).toEqual(["change:", "change:", "change:New billing contact", "note:Asked about March.", "note:Credit promised."]);
    expect(all.items.at(-1)!.detail).toBe("New billing contact");
    expect(all.items.map((entry) => entry.at.getTime())).toEqual([...all.items.map((entry) => entry.at.getTime())].sort((a, b) => b - a));

    const notes = await listCustomerTimeline(db, { customerId: customer!.id, kinds: ["note"] });
    expect(notes.items.map((entry) => entry.detail)).toEqual(["Credit promised.", "Asked about March."]);

    const seen: string[] = [];
    let cursor: { at: Date; key: string } | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await listCustomerTimeline(db, { customerId: customer!.id, limit: 2, cursor });
      seen.push(...result.items.map((entry) => entry.key));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(all.items.map((entry) => entry.key));
  });
});
