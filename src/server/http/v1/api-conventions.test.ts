import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { executeRows } from "@/db/execute";
import { apiKeyScopes } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { findJob } from "@/server/jobs/registry";
import { runJob } from "@/server/jobs/run-job";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase as routeTo } from "../use-route-database";
import { testApi, type TestApi } from "./test-api";

let database: TestDatabase;
let api: TestApi;
let allKey: string;
let readKey: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  routeTo(database);
  await seedCatalog(database.db);
  allKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "all", scopes: [...apiKeyScopes] })).key;
  readKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "reader", scopes: ["read"] })).key;
  api = testApi({ key: allKey });
});
afterAll(async () => {
  await database.drop();
});

async function count(table: string, where = "true"): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql.raw(`select count(*)::text as count from ${table} where ${where}`));
  return Number(row?.count ?? 0);
}

function expectError(answer: { status: number; json: unknown; headers: Record<string, string> }, status: number, code: string, param?: string | null) {
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  const error = (answer.json as { error: Record<string, unknown> }).error;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  expect((error.message as string).length).toBeGreaterThan(10);
  expect(error.request_id).toBe(answer.headers["x-request-id"]);
  if (param !== undefined) expect(error.param).toBe(param);
}

describe("/api/v1 conventions", () => {
  it("replays a POST with the same Idempotency-Key and body, status and body byte for byte, and changes nothing the second time", async () => {
    const body = { external_id: "idem_1", email: "idem@example.dev", name: "Idem One" };
    const first = await api.call("POST", "/customers", { body, headers: { "idempotency-key": "key-idem-1" } });
    expect(first.status).toBe(201);
    const auditsAfterFirst = await count("audit_log");
    const eventsAfterFirst = await count("webhook_events");
    // Same body with keys in another order and other whitespace: the same request.
    const replay = await api.call("POST", "/customers", { body: `{ "name": "Idem One", "email": "idem@example.dev",   "external_id": "idem_1" }`, headers: { "idempotency-key": "key-idem-1" } });
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.headers["x-request-id"]).not.toBe(first.headers["x-request-id"]);
    expect(await count("audit_log")).toBe(auditsAfterFirst);
    expect(await count("webhook_events")).toBe(eventsAfterFirst);

    const reused = await api.call("POST", "/customers", { body: { ...body, name: "Someone else" }, headers: { "idempotency-key": "key-idem-1" } });
    expectError(reused, 422, "idempotency_key_reused", "Idempotency-Key");
    const otherPath = await api.call("POST", "/customers/idem_1", { body: { name: "x y" }, headers: { "idempotency-key": "key-idem-1" } });
    expectError(otherPath, 422, "idempotency_key_reused");
    expect(((await api.call("GET", "/customers/idem_1")).json as { name: string }).name).toBe("Idem One");

    // A refusal is replayed too (it is what the request meant), with its status.
    const refused = await api.call("POST", "/customers", { body: { ...body, currency: "eur" }, headers: { "idempotency-key": "key-idem-2" } });
    expectError(refused, 409, "currency_mismatch", "currency");
    const refusedAgain = await api.call("POST", "/customers", { body: { ...body, currency: "eur" }, headers: { "idempotency-key": "key-idem-2" } });
    expect([refusedAgain.status, refusedAgain.text]).toEqual([409, refused.text]);

    // A bad request burns no key: fixed, it runs under the same key.
    const bad = await api.call("POST", "/customers", { body: { external_id: "idem_3" }, headers: { "idempotency-key": "key-idem-3" } });
    expectError(bad, 400, "parameter_missing", "email");
    const fixed = await api.call("POST", "/customers", { body: { external_id: "idem_3", email: "three@example.dev" }, headers: { "idempotency-key": "key-idem-3" } });
    expect(fixed.status).toBe(201);

    expectError(await api.call("POST", "/customers", { body, headers: { "idempotency-key": "" } }), 400, "invalid_idempotency_key", "Idempotency-Key");
    expectError(await api.call("POST", "/customers", { body, headers: { "idempotency-key": "x".repeat(256) } }), 400, "invalid_idempotency_key");
  });

  it("runs concurrent requests with one key once: every answer is the first one's", async () => {
    const body = { external_id: "race_1", email: "race@example.dev" };
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.call("POST", "/customers", { body, headers: { "idempotency-key": "race-key" } })));
    const statuses = answers.map((answer) => answer.status);
    // One ran; the others waited for it and replayed (or, had it run longer than the wait, got 409 idempotency_key_in_use).
    expect(statuses.filter((status) => status === 201).length).toBe(answers.filter((answer) => answer.headers["idempotent-replayed"] === "true").length + 1);
    expect(new Set(answers.filter((answer) => answer.status === 201).map((answer) => answer.text)).size).toBe(1);
    for (const answer of answers.filter((item) => item.status !== 201)) expectError(answer, 409, "idempotency_key_in_use");
    expect(await count("customers", "external_id = 'race_1'")).toBe(1);
    expect(await count("audit_log", "action = 'customer.create' and object_id = (select id::text from customers where external_id = 'race_1')")).toBe(1);
  });

  it("keeps a key 24 hours: then the same key is a new request, and api:prune deletes what is older", async () => {
    const clock = fixedClock(new Date());
    const timed = testApi({ key: allKey, clock });
    const first = await timed.call("POST", "/customers", { body: { external_id: "keep_1", email: "keep@example.dev" }, headers: { "idempotency-key": "keep-key" } });
    expect(first.status).toBe(201);
    clock.advanceMs(23 * 3_600_000);
    expect((await timed.call("POST", "/customers", { body: { external_id: "keep_1", email: "keep@example.dev" }, headers: { "idempotency-key": "keep-key" } })).headers["idempotent-replayed"]).toBe("true");
    expectError(await timed.call("POST", "/customers", { body: { external_id: "keep_2", email: "keep2@example.dev" }, headers: { "idempotency-key": "keep-key" } }), 422, "idempotency_key_reused");
    clock.advanceMs(3_600_000);
    // Past 24 hours (not pruned yet): the key runs the request it now comes with.
    const after = await timed.call("POST", "/customers", { body: { external_id: "keep_2", email: "keep2@example.dev" }, headers: { "idempotency-key": "keep-key" } });
    expect([after.status, after.headers["idempotent-replayed"]]).toEqual([201, undefined]);
    expect(await count("customers", "external_id = 'keep_2'")).toBe(1);
    await timed.call("POST", "/customers", { body: { external_id: "keep_3", email: "keep3@example.dev" }, headers: { "idempotency-key": "other-key" } });
    clock.advanceMs(24 * 3_600_000 + 1_000);
    const job = findJob("api:prune")!;
    const pruned = await runJob(job, { db: database.db, clock, log: () => {} }, {});
    expect(pruned).toMatchObject({ ok: true });
    expect(await count("api_idempotency_keys", "key in ('keep-key', 'other-key')")).toBe(0);
  });

  it("keeps one error shape for every failure, with the request id", async () => {
    expectError(await api.call("GET", "/customers", { key: null }), 401, "missing_api_key", null);
    expectError(await api.call("GET", "/customers", { key: "tly_live_unknown" }), 401, "invalid_api_key");
    expectError(await api.call("POST", "/customers", { key: readKey, body: { external_id: "x", email: "x@example.dev" } }), 403, "insufficient_scope");
    expectError(await api.call("GET", "/customers/nobody-at-all"), 404, "customer_not_found");
    expectError(await api.call("GET", "/nothing/here"), 404, "route_not_found");
    const wrongMethod = await api.call("DELETE", "/customers");
    expectError(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers.allow).toBe("POST, GET");
    expectError(await api.call("POST", "/customers", { body: "{not json", headers: { "content-type": "application/json" } }), 400, "invalid_json", "body");
    expectError(await api.call("POST", "/customers", { body: { external_id: "x", email: "not-an-email" } }), 400, "parameter_invalid", "email");
    expectError(await api.call("POST", "/customers", { body: { external_id: "x", email: "x@example.dev", plan: "pro" } }), 400, "parameter_unknown", "plan");
    expectError(await api.call("GET", "/customers?limit=0"), 400, "parameter_invalid", "limit");
    expectError(await api.call("GET", "/customers?colour=blue"), 400, "parameter_unknown", "colour");
    expectError(await api.call("GET", "/customers/abc?x=1"), 400, "parameter_unknown", "x");
    expectError(await api.call("GET", "/customers", { headers: { "tally-version": "2019-01-01" } }), 400, "unsupported_version", "Tally-Version");
    const given = await api.call("GET", "/customers", { headers: { "x-request-id": "req_from_the_product_123" } });
    expect(given.headers["x-request-id"]).toBe("req_from_the_product_123");
    expect(given.headers["tally-version"]).toBe("2026-12-01");
    expect(await count("customers", "external_id = 'x'")).toBe(0);
  });

  it("pages lists with limit, starting_after and has_more, each item once", async () => {
    for (let index = 0; index < 7; index++) await api.call("POST", "/customers", { body: { external_id: `page_${index}`, email: `page${index}@example.dev`, kind: "team" } });
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = await api.call("GET", `/customers?kind=team&limit=3${after ? `&starting_after=${after}` : ""}`);
      const list = answer.json as { object: string; data: { id: string; external_id: string }[]; has_more: boolean };
      expect(list.object).toBe("list");
      seen.push(...list.data.map((customer) => customer.external_id));
      if (!list.has_more) break;
      after = list.data.at(-1)!.id;
    }
    expect([...seen].sort()).toEqual(Array.from({ length: 7 }, (_, index) => `page_${index}`));
    expectError(await api.call("GET", "/customers?starting_after=not-a-customer"), 400, "invalid_cursor", "starting_after");
  });

  it("limits each key across server processes: 429 with Retry-After past its allowance", async () => {
    const limited = (await createApiKey(database.db, { actor: systemActor("test"), name: "limited", scopes: ["read"] })).key;
    const limitedApi = testApi({ key: limited });
    // A second pool on the same database stands for a second server process.
    const other = await openDatabase({ url: database.url, poolMax: 2 });
    process.env.TALLY_API_RATE_LIMIT_PER_MINUTE = "4";
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 4; index++) {
        routeTo(index % 2 === 0 ? database : other);
        const answer = await limitedApi.call("GET", "/plans");
        statuses.push(answer.status);
        expect(answer.headers["x-ratelimit-remaining"]).toBe(String(3 - index));
      }
      expect(statuses).toEqual([200, 200, 200, 200]);
      routeTo(other);
      const refused = await limitedApi.call("GET", "/plans");
      expectError(refused, 429, "rate_limited", null);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(15);
      // Another key is not affected.
      expect((await api.call("GET", "/plans")).status).toBe(200);
    } finally {
      delete process.env.TALLY_API_RATE_LIMIT_PER_MINUTE;
      routeTo(database);
      await other.close();
    }
  });

  it("logs each request with its customer for the console", async () => {
    const answer = await api.call("GET", "/customers/page_1");
    const [row] = await executeRows<{ status: number; customer_id: string | null; operation_id: string }>(database.db, sql`select status, customer_id, operation_id from api_request_log where request_id = ${answer.headers["x-request-id"]!}`);
    expect(row).toMatchObject({ status: 200, operation_id: "getCustomer", customer_id: (answer.json as { id: string }).id });
  });
});
