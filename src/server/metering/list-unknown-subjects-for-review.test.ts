import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customers } from "@/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ingestEvents } from "./ingest-events";
import { listUnknownSubjectsForReview } from "./list-unknown-subjects-for-review";
import { rollUpAll } from "./roll-up-all";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("listUnknownSubjectsForReview", () => {
  it("lists subjects without a customer, most events first, with the customer created since", async () => {
    expect(await listUnknownSubjectsForReview(database.db)).toEqual([]);
    await ingestEvents(database.db, [
      cloudEvent({ subject: "usr_later" }),
      cloudEvent({ subject: "usr_later" }),
      cloudEvent({ subject: "usr_never" }),
    ]);
    // Counted by the rollup claim, as current as the rollups.
    expect(await listUnknownSubjectsForReview(database.db)).toEqual([]);
    await rollUpAll(database.db);
    await database.db.insert(customers).values({ externalId: "usr_later", name: "Later", email: "later@example.com", kind: "individual" });
    const subjects = await listUnknownSubjectsForReview(database.db);
    expect(subjects.map((each) => [each.subject, each.events, each.customer?.name ?? null])).toEqual([
      ["usr_later", 2, "Later"],
      ["usr_never", 1, null],
    ]);
  });
});
