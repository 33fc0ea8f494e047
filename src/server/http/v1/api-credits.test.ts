import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { apiKeyScopes } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "../use-route-database";
import { testApi, type TestApi } from "./test-api";

let database: TestDatabase;
let api: TestApi;
let otherKeyApi: TestApi;
const clock = fixedClock("2026-11-10T12:00:00Z");

type Purchase = { object: string; created: boolean; invoice: { id: string; kind: string; status: string; total_micros: string; total_cents: number; lines: { kind: string; amount_micros: string }[] }; credit_grant: { id: string; category: string; source: string; amount_micros: string; remaining_micros: string; expires_at: string | null; priority: number } };

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  useRouteDatabase(database);
  await seedCatalog(database.db, { clock });
  api = testApi({ key: (await createApiKey(database.db, { actor: systemActor("test"), name: "product back end", scopes: [...apiKeyScopes] })).key, clock });
  otherKeyApi = testApi({ key: (await createApiKey(database.db, { actor: systemActor("test"), name: "billing service", scopes: ["credits:write", "read"] })).key, clock });
  for (const externalId of ["buyer", "no_plan"]) expect((await api.call("POST", "/customers", { body: { external_id: externalId, email: `${externalId}@example.dev` } })).status).toBe(201);
  expect((await api.call("POST", "/subscriptions", { body: { customer: "buyer", plan: "pro" } })).status).toBe(201);
});
afterAll(async () => {
  await database.drop();
});

async function count(table: string, where = "true"): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql.raw(`select count(*)::text as count from ${table} where ${where}`));
  return Number(row?.count ?? 0);
}

const purchases = "/customers/buyer/credit_purchases";

describe("purchased credits through the API", () => {
  it("invoices the purchase and grants the credit once per Idempotency-Key, concurrent retries included", async () => {
    const body = { amount_micros: "50000000", reason: "Top-up from the product's billing page" };
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.call("POST", purchases, { body, headers: { "idempotency-key": "topup-1" } })));
    const first = answers.find((answer) => answer.headers["idempotent-replayed"] === undefined)!;
    expect(first.status, first.text).toBe(201);
    for (const answer of answers) if (answer.status === 201) expect(answer.text).toBe(first.text);
    const purchase = first.json as Purchase;
    expect(purchase).toMatchObject({ object: "credit_purchase", created: true, invoice: { kind: "credit_purchase", status: "finalized", total_micros: "50000000", total_cents: 5000 }, credit_grant: { category: "paid", source: "purchase", amount_micros: "50000000", remaining_micros: "50000000", expires_at: null } });
    expect(await count("invoices", "kind = 'credit_purchase'")).toBe(1);
    expect(await count("credit_grants", "source = 'purchase'")).toBe(1);
    expect(await count("webhook_events", "type = 'credit.granted'")).toBe(1);
    expect(await count("webhook_events", "type = 'invoice.finalized' and body like '%credit_purchase%'")).toBe(1);

    // The same key with another amount is another request: refused, nothing bought.
    const reused = await api.call("POST", purchases, { body: { amount_micros: "60000000" }, headers: { "idempotency-key": "topup-1" } });
    expect([reused.status, (reused.json as { error: { code: string } }).error.code]).toEqual([422, "idempotency_key_reused"]);
    // Another API key's identical key is its own purchase.
    const otherKey = await otherKeyApi.call("POST", purchases, { body, headers: { "idempotency-key": "topup-1" } });
    expect((otherKey.json as Purchase).created).toBe(true);
    expect((otherKey.json as Purchase).invoice.id).not.toBe(purchase.invoice.id);

    // Past the key's 24 hours the purchase is still recognised: the same one, never a second invoice.
    clock.advanceMs(25 * 3_600_000);
    const late = await api.call("POST", purchases, { body, headers: { "idempotency-key": "topup-1" } });
    expect(late.status).toBe(201);
    expect(late.json).toMatchObject({ created: false, invoice: { id: purchase.invoice.id }, credit_grant: { id: purchase.credit_grant.id } });
    expect(await count("invoices", "kind = 'credit_purchase'")).toBe(2);

    const balance = (await api.call("GET", "/customers/buyer/balance")).json as { balances: { currency: string; credit_available_micros: string; receivable_micros: string }[] };
    expect(balance.balances[0]).toMatchObject({ currency: "usd", credit_available_micros: "100000000" });
    const grants = (await api.call("GET", "/customers/buyer/credit_grants")).json as { data: { id: string }[] };
    expect(grants.data.map((grant) => grant.id)).toContain(purchase.credit_grant.id);
    await expectLedgerConsistent(database.db);
  });

  it("refuses what it cannot bill, with the parameter at fault, and buys nothing", async () => {
    const before = await count("invoices");
    const refusals: [unknown, Record<string, string> | undefined, number, string, string | null][] = [
      [{ amount_micros: "50000000" }, undefined, 400, "parameter_missing", "Idempotency-Key"],
      [{ amount_micros: "50000001" }, { "idempotency-key": "bad-1" }, 400, "parameter_invalid", "amount_micros"],
      [{ amount_micros: "999999" }, { "idempotency-key": "bad-2" }, 400, "parameter_invalid", "amount_micros"],
      [{ amount_micros: "1000000000010000" }, { "idempotency-key": "bad-3" }, 400, "parameter_invalid", "amount_micros"],
      [{ amount_micros: "12.5" }, { "idempotency-key": "bad-4" }, 400, "parameter_invalid", "amount_micros"],
      [{ amount_micros: 50000000 }, { "idempotency-key": "bad-5" }, 400, "parameter_invalid", "amount_micros"],
      [{ amount_micros: "50000000", expires_at: "2020-01-01T00:00:00Z" }, { "idempotency-key": "bad-6" }, 400, "parameter_invalid", "expires_at"],
      [{ amount_micros: "50000000", priority: -1 }, { "idempotency-key": "bad-7" }, 400, "parameter_invalid", "priority"],
      [{ amount_micros: "50000000", currency: "eur" }, { "idempotency-key": "bad-8" }, 400, "parameter_unknown", "currency"],
    ];
    for (const [body, headers, status, code, param] of refusals) {
      const answer = await api.call("POST", purchases, { body, headers });
      expect([answer.status, answer.json], JSON.stringify(body)).toMatchObject([status, { error: { code, param } }]);
    }
    const noPlan = await api.call("POST", "/customers/no_plan/credit_purchases", { body: { amount_micros: "50000000" }, headers: { "idempotency-key": "np-1" } });
    expect([noPlan.status, noPlan.json]).toMatchObject([422, { error: { code: "credit_purchase_needs_subscription" } }]);
    const nobody = await api.call("POST", "/customers/nobody/credit_purchases", { body: { amount_micros: "50000000" }, headers: { "idempotency-key": "nb-1" } });
    expect([nobody.status, nobody.json]).toMatchObject([404, { error: { code: "customer_not_found" } }]);
    const reader = testApi({ key: (await createApiKey(database.db, { actor: systemActor("test"), name: "reader", scopes: ["read"] })).key, clock });
    expect((await reader.call("POST", purchases, { body: { amount_micros: "50000000" }, headers: { "idempotency-key": "rd-1" } })).status).toBe(403);
    expect(await count("invoices")).toBe(before);
  });

  it("gives an expiring, prioritised credit when asked", async () => {
    const expiresAt = "2027-01-01T00:00:00.000Z";
    const answer = await api.call("POST", purchases, { body: { amount_micros: "25000000", expires_at: expiresAt, priority: 10 }, headers: { "idempotency-key": "topup-exp" } });
    expect(answer.status, answer.text).toBe(201);
    expect((answer.json as Purchase).credit_grant).toMatchObject({ amount_micros: "25000000", expires_at: expiresAt, priority: 10 });
  });
});
