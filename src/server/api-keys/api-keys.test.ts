import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { apiKeyScopes } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { clearApiKeyCache } from "./api-key-cache";
import { demoApiKey } from "./api-key-secret";
import { createApiKey } from "./create-api-key";
import { listApiKeys } from "./list-api-keys";
import { revokeApiKey } from "./revoke-api-key";
import { seedDemoApiKey } from "./seed-demo-api-key";
import { verifyApiKey } from "./verify-api-key";

let database: TestDatabase;
const actor = systemActor("test");
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await database.drop();
});
beforeEach(() => clearApiKeyCache());

describe("API keys", () => {
  it("are shown once and stored only as a hash and a visible prefix", async () => {
    const { apiKey, key } = await createApiKey(database.db, { actor, name: "edge ingest", scopes: ["ingest", "ingest"] });
    expect(key).toMatch(/^tly_live_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.prefix).toBe(key.slice(0, 13));
    expect(apiKey.scopes).toEqual(["ingest"]);
    const rows = await executeRows<{ key_hash: string }>(database.db, sql`select key_hash from api_keys where id = ${apiKey.id}`);
    expect(rows[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(key);
    const audit = await executeRows(database.db, sql`select 1 from audit_log where action = 'api_key.create' and object_id = ${apiKey.id}`);
    expect(audit).toHaveLength(1);
  });

  it("verify with their scopes, and stop verifying once revoked in this process", async () => {
    const { apiKey, key } = await createApiKey(database.db, { actor, name: "reader", scopes: ["read"] });
    expect(await verifyApiKey(database.db, key)).toMatchObject({ id: apiKey.id, scopes: ["read"] });
    expect(await verifyApiKey(database.db, key)).toMatchObject({ id: apiKey.id }); // cached
    const revoked = await revokeApiKey(database.db, { actor, id: apiKey.id, reason: "rotated" });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await verifyApiKey(database.db, key)).toBeNull();
    const again = await revokeApiKey(database.db, { actor, id: apiKey.id });
    expect(again.revokedAt).toEqual(revoked.revokedAt);
  });

  it("revoked in another process stop verifying within the cache TTL", async () => {
    const { apiKey, key } = await createApiKey(database.db, { actor, name: "elsewhere", scopes: ["ingest"] });
    const nowMs = Date.now();
    expect(await verifyApiKey(database.db, key, { nowMs })).not.toBeNull();
    // Another process revokes: the row changes, this process's cache does not hear of it.
    await executeRows(database.db, sql`update api_keys set revoked_at = now() where id = ${apiKey.id}`);
    expect(await verifyApiKey(database.db, key, { nowMs: nowMs + 1_000 })).not.toBeNull();
    expect(await verifyApiKey(database.db, key, { nowMs: nowMs + 31_000 })).toBeNull();
  });

  it("refuse unknown keys and list newest first, without revoked ones by default", async () => {
    expect(await verifyApiKey(database.db, "tly_live_nope")).toBeNull();
    expect(await verifyApiKey(database.db, "x".repeat(500))).toBeNull();
    const page = await listApiKeys(database.db, { limit: 2 });
    expect(page.items.every((item) => item.revokedAt === null)).toBe(true);
    const all = await listApiKeys(database.db, { includeRevoked: true, limit: 200 });
    expect(all.items.length).toBeGreaterThan(page.items.length);
    const first = await listApiKeys(database.db, { includeRevoked: true, limit: 1 });
    const second = await listApiKeys(database.db, { includeRevoked: true, limit: 1, cursor: first.nextCursor ?? undefined });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    expect(all.items[1]?.id).toBe(second.items[0]?.id);
  });

  it("include a fixed demo key outside production only", async () => {
    await expect(seedDemoApiKey(database.db, { nodeEnv: "production" })).rejects.toMatchObject({ code: "demo_api_key_in_production" });
    expect(await verifyApiKey(database.db, demoApiKey)).toBeNull();
    expect(await seedDemoApiKey(database.db, { nodeEnv: "development" })).toBe(true);
    expect(await seedDemoApiKey(database.db, { nodeEnv: "development" })).toBe(false);
    clearApiKeyCache();
    expect((await verifyApiKey(database.db, demoApiKey))?.scopes.sort()).toEqual([...apiKeyScopes].sort());
    expect(await verifyApiKey(database.db, demoApiKey, { nodeEnv: "production" })).toBeNull();
  });
});
