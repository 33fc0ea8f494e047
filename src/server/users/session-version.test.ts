import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getSessionHolder, revokeSessions } from "./session-version";

/* Issue 16 #10: after sign-out the old cookie kept working for up to 8 hours. */
let database: TestDatabase;
let userId: string;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  const [user] = await database.db.insert(users).values({ email: "support@tally.test", name: "Support", role: "support" }).returning({ id: users.id });
  userId = user!.id;
});
afterAll(async () => {
  await database?.drop();
});

describe("session versions", () => {
  it("a cookie issued before sign-out no longer names anyone; one issued after does", async () => {
    const before = { userId, sessionVersion: 0 };
    expect(await getSessionHolder(database.db, before)).toMatchObject({ id: userId });
    // A cookie from before session versions existed counts as version 0.
    expect(await getSessionHolder(database.db, { userId, sessionVersion: undefined })).toMatchObject({ id: userId });
    expect(await revokeSessions(database.db, userId)).toBe(1);
    expect(await getSessionHolder(database.db, before)).toBeUndefined();
    expect(await getSessionHolder(database.db, { userId, sessionVersion: undefined })).toBeUndefined();
    expect(await getSessionHolder(database.db, { userId, sessionVersion: 1 })).toMatchObject({ id: userId, role: "support" });
  });
});
