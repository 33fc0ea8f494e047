import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { apiKeyScopes, type ApiKeyScope } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "../use-route-database";
import { operations } from "./registry";
import { testApi } from "./test-api";

/*
 * The API's side of the permissions test: every operation of the registry (including ones added
 * later), called with a key of every single scope. A key whose scope the operation does not name
 * is refused 403 `insufficient_scope` and writes nothing anywhere; the named scope gets past
 * authorization (whatever the probe input then earns: 400, 404, 422, ...).
 */

let database: TestDatabase;
const keys = new Map<ApiKeyScope, string>();

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  for (const scope of apiKeyScopes) keys.set(scope, (await createApiKey(database.db, { actor: systemActor("test"), name: scope, scopes: [scope] })).key);
});
afterAll(async () => {
  await database.drop();
});

let fingerprintQuery: string | undefined;

/** Row counts of every table but the request log and the rate-limit buckets (which every request writes), in one statement. */
async function tableFingerprint(): Promise<string> {
  if (!fingerprintQuery) {
    const tables = await executeRows<{ name: string }>(database.db, sql`select quote_ident(table_name) as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('api_request_log', 'rate_limits') order by 1`);
    fingerprintQuery = `select concat_ws(',', ${tables.map(({ name }) => `'${name}=' || (select count(*) from ${name})`).join(", ")}) as fingerprint`;
  }
  const [row] = await executeRows<{ fingerprint: string }>(database.db, sql.raw(fingerprintQuery));
  return row?.fingerprint ?? "";
}

function probePath(path: string): string {
  return path.replace(/\{(\w+)\}/g, "00000000-0000-4000-8000-000000000000");
}

describe("API key scopes", () => {
  it("name one known scope on every operation", () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const operation of operations) expect(apiKeyScopes, operation.id).toContain(operation.scope);
    expect(new Set(operations.map((operation) => operation.id)).size).toBe(operations.length);
  });

  it("let a key do exactly what its scope names, and a refusal writes nothing", { timeout: 180_000 }, async () => {
    for (const scope of apiKeyScopes) {
      const api = testApi({ key: keys.get(scope)! });
      for (const operation of operations) {
        const before = operation.scope === scope ? "" : await tableFingerprint();
        const answer = await api.call(operation.method, probePath(operation.path), operation.method === "POST" ? { body: {} } : {});
        const code = (answer.json as { error?: { code?: string } } | null)?.error?.code;
        if (operation.scope === scope) {
          expect([401, 403], `${scope} → ${operation.id}: ${answer.text.slice(0, 200)}`).not.toContain(answer.status);
        } else {
          expect([answer.status, code], `${scope} → ${operation.id}`).toEqual([403, "insufficient_scope"]);
          expect(await tableFingerprint(), `${scope} → ${operation.id} wrote`).toBe(before);
        }
      }
    }
  });
});
