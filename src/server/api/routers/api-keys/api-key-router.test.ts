import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@/server/clock";
import { verifyApiKey } from "@/server/api-keys/verify-api-key";
import { seedUsers } from "@/server/users/seed-users";
import { getUserByEmail } from "@/server/users/get-user";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createCallerFactory } from "../../trpc";
import { apiKeyRouter } from "./index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  await seedUsers(database.db);
});
afterAll(async () => {
  await database.drop();
});

async function adminCaller() {
  const admin = (await getUserByEmail(database.db, "admin@tally.test"))!;
  return createCallerFactory(apiKeyRouter)({
    db: database.db,
    clock: systemClock,
    user: { id: admin.id, email: admin.email, name: admin.name, role: admin.role },
  });
}

describe("apiKey router", () => {
  it("creates a key whose secret is returned once, lists it by its creator's email, and revokes it with a reason", async () => {
    const admin = await adminCaller();
    await expect(admin.create({ name: "edge", scopes: ["ingest"], reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const { apiKey, key } = await admin.create({ name: "edge", scopes: ["ingest", "ingest"], reason: "new edge gateway" });
    expect(apiKey.scopes).toEqual(["ingest"]);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(await verifyApiKey(database.db, key)).toMatchObject({ id: apiKey.id });

    const listed = await admin.listView({});
    const row = listed.items.find((each) => each.id === apiKey.id);
    expect(row).toMatchObject({ createdByLabel: "admin@tally.test", revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key);

    await expect(admin.revoke({ id: apiKey.id, reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await admin.revoke({ id: apiKey.id, reason: "gateway retired" });
    expect(await verifyApiKey(database.db, key)).toBeNull();
    const after = (await admin.listView({ status: "revoked", limit: 10 })).items.find((each) => each.id === apiKey.id);
    expect(after).toMatchObject({ revokedByLabel: "admin@tally.test" });
    expect((await admin.listView({ status: "active", limit: 10 })).items.map((each) => each.id)).not.toContain(apiKey.id);
  });
});
