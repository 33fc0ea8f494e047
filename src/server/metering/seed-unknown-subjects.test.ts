import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listUnknownSubjects } from "./attach-unknown-events";
import { seedDemoUnknownSubjects } from "./seed-unknown-subjects";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("seedDemoUnknownSubjects", () => {
  it("leaves a few subjects without a customer for support to review, and adds nothing when run again", async () => {
    const clock = fixedClock(new Date());
    expect(await seedDemoUnknownSubjects(database.db, clock)).toMatch(/^[1-9]\d* new events/);
    const subjects = await listUnknownSubjects(database.db);
    expect(subjects.map((each) => each.subject).sort()).toEqual(["org_9002_trial-import", "usr_9001_pending-signup", "usr_legacy_4411"]);
    expect(await seedDemoUnknownSubjects(database.db, clock)).toMatch(/^0 new events/);
    expect(await listUnknownSubjects(database.db)).toEqual(subjects);
  });
});
