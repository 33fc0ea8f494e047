import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyScopes } from "@/db/schema";
import { persistAnomalies } from "@/server/anomalies/persist-anomalies";
import { defaultAnomalySettings } from "@/server/anomalies/settings";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { systemClock } from "@/server/clock";
import { rollUpEverything } from "@/server/metering/test-events";
import { createPromotion } from "@/server/promotions/create-promotion";
import { setPromotionStatus } from "@/server/promotions/set-promotion-status";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "../use-route-database";
import { createContractClient } from "./contract-client";
import { startApiTestServer } from "./contract-server";

/*
 * The contract: a client generated from the committed spec drives every operation over HTTP, and
 * every answer — success or error — is validated against the schema the spec documents for it.
 * An operation the scenario never reached, a status the spec does not list, or a body that does
 * not match fails the test.
 */

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startApiTestServer>>;
let contract: ReturnType<typeof createContractClient>;
let readOnly: ReturnType<typeof createContractClient>;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  useRouteDatabase(database);
  await seedCatalog(database.db);
  const actor = systemActor("contract");
  const key = (await createApiKey(database.db, { actor, name: "contract", scopes: [...apiKeyScopes] })).key;
  const reader = (await createApiKey(database.db, { actor, name: "reader", scopes: ["read"] })).key;
  const promotion = await createPromotion(database.db, actor, systemClock, { name: "Contract", startsAt: new Date(Date.now() - 86_400_000), effect: { type: "credit", amountMicros: "2000000", currency: "usd", expiryDays: 30 }, sharedCode: "CONTRACT2" });
  await setPromotionStatus(database.db, actor, systemClock, { promotionId: promotion.id, status: "active" });
  server = await startApiTestServer();
  contract = createContractClient(server.baseUrl, key);
  readOnly = createContractClient(server.baseUrl, reader);
});
afterAll(async () => {
  await server?.close();
  await database.drop();
});

describe("the API against its published spec", () => {
  it("answers every operation, successes and errors, exactly as the spec documents", async () => {
    const { client } = contract;
    const idempotent = (key: string) => ({ "Idempotency-Key": key });

    // Customers
    const created = await client.POST("/customers", { body: { external_id: "ctr_1", email: "ctr@example.dev", name: "Contract One", metadata: { tier: "gold" } }, params: { header: idempotent("ctr-1") } });
    expect(created.response.status).toBe(201);
    const customerId = created.data!.id;
    expect((await client.POST("/customers", { body: { external_id: "ctr_1", email: "ctr@example.dev", name: "Contract One", metadata: { tier: "gold" } }, params: { header: idempotent("ctr-1") } })).response.headers.get("idempotent-replayed")).toBe("true");
    expect((await client.POST("/customers", { body: { external_id: "ctr_1", email: "other@example.dev" }, params: { header: idempotent("ctr-1") } })).error?.error.code).toBe("idempotency_key_reused");
    expect((await client.POST("/customers", { body: { external_id: "ctr_1", email: "ctr@example.dev", currency: "eur" } })).response.status).toBe(409);
    expect((await client.POST("/customers", { body: { external_id: "ctr_1" } as never })).error?.error.param).toBe("email");
    expect((await readOnly.client.POST("/customers", { body: { external_id: "ctr_x", email: "x@example.dev" } })).response.status).toBe(403);
    const list = await client.GET("/customers", { params: { query: { limit: 1 } } });
    expect(list.data?.data).toHaveLength(1);
    expect((await client.GET("/customers", { params: { query: { limit: 1000 } } })).response.status).toBe(400);
    expect((await client.GET("/customers/{customer}", { params: { path: { customer: "ctr_1" } } })).data?.id).toBe(customerId);
    expect((await client.GET("/customers/{customer}", { params: { path: { customer: "nobody" } } })).response.status).toBe(404);
    expect((await client.POST("/customers/{customer}", { params: { path: { customer: "ctr_1" } }, body: { name: "Contract Uno", metadata: { tier: null } } })).data?.metadata).toEqual({});
    expect((await client.POST("/customers/{customer}/payment_setup", { params: { path: { customer: "ctr_1" } }, body: {} })).response.status).toBe(503);

    // Plans and subscriptions
    const plans = await client.GET("/plans");
    expect(plans.data?.data.map((plan) => plan.key)).toEqual(expect.arrayContaining(["free", "pro", "team"]));
    const subscription = await client.POST("/subscriptions", { body: { customer: "ctr_1", plan: "pro", seats: 2, trial_days: 0, promotion_code: "CONTRACT2", spend_limit_micros: "100000000" }, params: { header: idempotent("ctr-sub") } });
    expect(subscription.response.status).toBe(201);
    const subscriptionId = subscription.data!.id;
    expect((await client.POST("/subscriptions", { body: { customer: "ctr_1", plan: "pro" } })).response.status).toBe(409);
    expect((await client.POST("/subscriptions", { body: { customer: "ctr_1", plan: "nope" } })).response.status).toBe(404);
    expect((await client.GET("/subscriptions", { params: { query: { customer: "ctr_1" } } })).data?.data).toHaveLength(1);
    expect((await client.GET("/subscriptions/{subscription}", { params: { path: { subscription: subscriptionId } } })).data?.seats).toBe(2);
    expect((await client.GET("/subscriptions/{subscription}", { params: { path: { subscription: "sub_missing" } } })).response.status).toBe(404);
    const preview = await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: subscriptionId } }, body: { plan: "team" } });
    expect(preview.data?.direction).toBe("upgrade");
    expect((await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: subscriptionId } }, body: {} })).response.status).toBe(400);
    expect((await client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscriptionId } }, body: { plan: "team", reason: "contract upgrade" } })).data?.status).toBe("applied");
    expect((await client.POST("/subscriptions/{subscription}/cancel", { params: { path: { subscription: subscriptionId } }, body: { at: "period_end" } })).data?.subscription.cancel_at_period_end).toBe(true);
    expect((await client.POST("/subscriptions/{subscription}/resume", { params: { path: { subscription: subscriptionId } }, body: {} })).data?.subscription.cancel_at_period_end).toBe(false);
    expect((await client.POST("/subscriptions/{subscription}/resume", { params: { path: { subscription: subscriptionId } }, body: {} })).response.status).toBe(422);
    expect((await client.POST("/subscriptions/{subscription}/spend_limit", { params: { path: { subscription: subscriptionId } }, body: { spend_limit_micros: "50000000" } })).data?.spend_limit_micros).toBe("50000000");

    // Usage and entitlements
    const now = new Date();
    const ingested = await client.POST("/events", {
      body: [
        { specversion: "1.0", id: "ctr-evt-1", source: "contract", type: "agent.request", subject: "ctr_1", time: now.toISOString(), data: {} },
        { specversion: "1.0", id: "ctr-evt-2", source: "contract", type: "agent.request", subject: "ctr_1", time: "not a time", data: {} },
      ],
      params: { header: idempotent("ctr-events") },
    });
    expect(ingested.data).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await client.POST("/events", { body: "{" as never, bodySerializer: (body) => body as unknown as string })).response.status).toBe(400);
    await rollUpEverything(database.db);
    const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
    const usage = await client.GET("/customers/{customer}/usage", { params: { path: { customer: "ctr_1" }, query: { meter: "agent_requests", from: new Date(hour).toISOString(), to: new Date(hour + 3_600_000).toISOString(), window: "hour" } } });
    expect(usage.data?.totals).toEqual([{ dimensions: {}, value: "1" }]);
    expect((await client.GET("/customers/{customer}/usage", { params: { path: { customer: "ctr_1" }, query: { meter: "nope", from: new Date(hour).toISOString(), to: new Date(hour + 3_600_000).toISOString() } } })).response.status).toBe(404);
    const check = await client.POST("/entitlements/check", { body: { customer: "ctr_1", feature: "active_repos", quantity: "1", reserve: true, ttlSeconds: 60 } });
    expect(check.data?.allowed).toBe(true);
    expect((await client.POST("/entitlements/check", { body: { customer: "ctr_1", feature: "active_repos", quantity: "-1" } })).response.status).toBe(400);
    const reservationId = check.data!.reservationId!;
    expect((await client.POST("/entitlements/reservations/{id}/release", { params: { path: { id: reservationId } }, body: {} })).data?.reservationStatus).toBe("released");
    const second = await client.POST("/entitlements/check", { body: { customer: "ctr_1", feature: "active_repos", reserve: true } });
    expect((await client.POST("/entitlements/reservations/{id}/consume", { params: { path: { id: second.data!.reservationId! } }, body: { quantity: "1" } })).data?.reservationStatus).toBe("consumed");
    expect((await client.POST("/entitlements/reservations/{id}/consume", { params: { path: { id: "00000000-0000-4000-8000-000000000000" } }, body: {} })).response.status).toBe(404);
    expect((await client.GET("/customers/{customer}/entitlements", { params: { path: { customer: "ctr_1" } } })).data?.features.length).toBeGreaterThan(3);
    expect((await client.POST("/promotions/redeem", { body: { customer: "ctr_1", code: "NOSUCHCODE" } })).response.status).toBe(404);
    expect((await client.POST("/promotions/redeem", { body: { customer: "ctr_1", code: "CONTRACT2" } })).response.status).toBe(409);

    // Invoices and credits
    const invoices = await client.GET("/customers/{customer}/invoices", { params: { path: { customer: "ctr_1" } } });
    expect(invoices.data?.data.map((invoice) => invoice.kind).sort()).toEqual(["opening", "proration"]);
    expect((await client.GET("/invoices/{invoice}", { params: { path: { invoice: invoices.data!.data[0]!.id } } })).data?.lines.length).toBeGreaterThan(0);
    expect((await client.GET("/invoices/{invoice}", { params: { path: { invoice: "00000000-0000-4000-8000-000000000000" } } })).response.status).toBe(404);
    expect((await client.GET("/customers/{customer}/upcoming_invoice", { params: { path: { customer: "ctr_1" } } })).data?.object).toBe("upcoming_invoice");
    expect((await client.GET("/customers/{customer}/credit_grants", { params: { path: { customer: "ctr_1" } } })).data?.data[0]?.amount_micros).toBe("2000000");
    expect((await client.GET("/customers/{customer}/balance", { params: { path: { customer: "ctr_1" } } })).data?.balances[0]?.currency).toBe("usd");

    const bought = await client.POST("/customers/{customer}/credit_purchases", { params: { path: { customer: "ctr_1" }, header: idempotent("ctr-topup") }, body: { amount_micros: "25000000" } });
    expect(bought.data).toMatchObject({ created: true, invoice: { kind: "credit_purchase", total_cents: 2500 }, credit_grant: { category: "paid", amount_micros: "25000000" } });
    expect((await client.POST("/customers/{customer}/credit_purchases", { params: { path: { customer: "ctr_1" }, header: idempotent("ctr-topup-2") }, body: { amount_micros: "25000001" } })).error?.error.param).toBe("amount_micros");
    expect((await readOnly.client.POST("/customers/{customer}/credit_purchases", { params: { path: { customer: "ctr_1" }, header: idempotent("ctr-topup-3") }, body: { amount_micros: "25000000" } })).response.status).toBe(403);

    // Anomalies: two found for the customer, listed most money first and paged.
    const window = { windowStart: new Date(hour - 86_400_000), windowEnd: new Date(hour), observed: "0", expected: "120", currency: "usd", evidence: { meter: { key: "agent_requests" } } };
    await persistAnomalies(database.db, {
      candidates: [
        { ...window, kind: "usage_drop", customerId, subject: "meter:agent_requests", title: "Agent requests stopped", impactMicros: 3_000_000n },
        { ...window, kind: "usage_spike", customerId, subject: "meter:llm_tokens", title: "LLM tokens 8× the usual", impactMicros: 9_000_000n },
      ],
      scopes: [],
      now: new Date(),
      settings: defaultAnomalySettings(),
    });
    const anomalyPage = await readOnly.client.GET("/anomalies", { params: { query: { customer: "ctr_1", status: "open", limit: 1 } } });
    expect(anomalyPage.data).toMatchObject({ object: "list", has_more: true, data: [{ kind: "usage_spike", impact_micros: "9000000", customer_external_id: "ctr_1" }] });
    const anomalyNext = await readOnly.client.GET("/anomalies", { params: { query: { customer: "ctr_1", starting_after: anomalyPage.data!.data[0]!.id } } });
    expect(anomalyNext.data?.data.map((anomaly) => anomaly.title)).toEqual(["Agent requests stopped"]);
    expect((await client.GET("/anomalies", { params: { query: { kind: "usage_drop", status: "resolved" } } })).data?.data).toEqual([]);
    expect((await client.GET("/anomalies", { params: { query: { status: "nope" as never } } })).error?.error.param).toBe("status");
    expect((await client.GET("/anomalies", { params: { query: { customer: "nobody" } } })).response.status).toBe(404);
    expect((await client.GET("/anomalies", { params: { query: { starting_after: "not-an-anomaly" } } })).error?.error.code).toBe("invalid_cursor");

    // The end of the customer's life.
    expect((await client.POST("/customers/{customer}/archive", { params: { path: { customer: "ctr_1" } }, body: {} })).response.status).toBe(422);
    expect((await client.POST("/subscriptions/{subscription}/cancel", { params: { path: { subscription: subscriptionId } }, body: { at: "now" } })).data?.subscription.status).toBe("canceled");
    expect((await client.POST("/customers/{customer}/archive", { params: { path: { customer: "ctr_1" } }, body: {} })).data?.archived_at).not.toBeNull();
    expect((await client.GET("/customers/{customer}/upcoming_invoice", { params: { path: { customer: "ctr_1" } } })).response.status).toBe(422);

    expect([...contract.problems, ...readOnly.problems]).toEqual([]);
    const reached = new Set(contract.observed.map((observation) => observation.operationId));
    expect(contract.operationIds.filter((id) => !reached.has(id))).toEqual([]);
    // Every operation was also seen failing (an error answer validated against the Error schema) where it can fail.
    const failed = new Set(contract.observed.filter((observation) => observation.status >= 400).map((observation) => observation.operationId));
    expect(failed.size).toBeGreaterThanOrEqual(15);
  });

  it("serves the spec the client was generated from", async () => {
    const served = (await (await fetch(`${server.baseUrl}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    const committed = (await import("./generated/openapi.json")).default as { paths: Record<string, unknown> };
    expect(served.openapi).toBe("3.1.0");
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(committed.paths).sort());
  });
});
