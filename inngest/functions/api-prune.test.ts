import { InngestTestEngine } from "@inngest/test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createApiPruneFunction } from "./api-prune";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("api-prune Inngest function", () => {
  it("deletes Idempotency-Keys older than 24 hours and request log rows older than 30 days", async () => {
    const { apiKey } = await createApiKey(database.db, { actor: systemActor("test"), name: "k", scopes: ["read"] });
    await executeRows(
      database.db,
      sql`insert into api_idempotency_keys (api_key_id, key, request_hash, method, path, status, response_status, response_body, created_at)
          values (${apiKey.id}, 'old', 'h', 'POST', '/x', 'completed', 200, '{}', '2026-05-30T23:00:00Z'), (${apiKey.id}, 'new', 'h', 'POST', '/x', 'completed', 200, '{}', '2026-05-31T01:00:00Z')`,
    );
    await executeRows(
      database.db,
      sql`insert into api_request_log (request_id, method, path, status, duration_ms, created_at) values ('a', 'GET', '/x', 200, 1, '2026-04-01T00:00:00Z'), ('b', 'GET', '/x', 200, 1, '2026-05-20T00:00:00Z')`,
    );
    const clock = fixedClock("2026-06-01T00:00:00Z");
    const engine = new InngestTestEngine({ function: createApiPruneFunction(async () => ({ db: database.db, clock })) });
    const { result, error } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, idempotencyKeys: 1, requestLog: 1 });
    expect((await executeRows<{ key: string }>(database.db, sql`select key from api_idempotency_keys`)).map((row) => row.key)).toEqual(["new"]);
    expect((await executeRows<{ request_id: string }>(database.db, sql`select request_id from api_request_log`)).map((row) => row.request_id)).toEqual(["b"]);
  });
});
