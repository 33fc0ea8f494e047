import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { apiKeyScopes } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { createPromotion } from "@/server/promotions/create-promotion";
import { setPromotionStatus } from "@/server/promotions/set-promotion-status";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "../use-route-database";
import { testApi, type TestApi } from "./test-api";

let database: TestDatabase;
let api: TestApi;
const clock = fixedClock("2026-11-10T12:00:00Z");

type Subscription = { id: string; status: string; seats: number; plan: { key: string; version: number }; trial_end: string | null; cancel_at_period_end: boolean; pending_change: unknown; current_period: { start: string; end: string } };
type Change = { status: string; invoice: string | null; preview: { proration_total_cents: number; proration_lines: { amount_cents: number }[] } | null; subscription: Subscription };

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  useRouteDatabase(database);
  await seedCatalog(database.db, { clock });
  const key = (await createApiKey(database.db, { actor: systemActor("test"), name: "product back end", scopes: [...apiKeyScopes] })).key;
  api = testApi({ key, clock });
  const actor = systemActor("test");
  const promotion = await createPromotion(database.db, actor, clock, { name: "Welcome", startsAt: new Date("2026-11-01T00:00:00Z"), effect: { type: "credit", amountMicros: "5000000", currency: "usd", expiryDays: null }, sharedCode: "WELCOME5", maxRedemptions: 1 });
  await setPromotionStatus(database.db, actor, clock, { promotionId: promotion.id, status: "active" });
});
afterAll(async () => {
  await database.drop();
});

async function count(table: string, where = "true"): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql.raw(`select count(*)::text as count from ${table} where ${where}`));
  return Number(row?.count ?? 0);
}

async function signUp(externalId: string): Promise<string> {
  const answer = await api.call("POST", "/customers", { body: { external_id: externalId, email: `${externalId}@example.dev`, name: externalId, metadata: { source: "test" } } });
  expect(answer.status).toBe(201);
  return (answer.json as { id: string }).id;
}

describe("customers and subscriptions through the API", () => {
  it("upserts a customer by external id, merges metadata, archives once its subscription is gone", async () => {
    const id = await signUp("usr_upsert");
    const again = await api.call("POST", "/customers", { body: { external_id: "usr_upsert", email: "new@example.dev", metadata: { plan_hint: "pro", source: "" } } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id, email: "new@example.dev", metadata: { plan_hint: "pro" } });
    expect((again.json as { metadata: Record<string, string> }).metadata.source).toBeUndefined();
    const same = await api.call("POST", "/customers", { body: { external_id: "usr_upsert", email: "new@example.dev" } });
    expect(same.status).toBe(200);
    expect(await count("audit_log", `object_id = '${id}' and action like 'customer.%'`)).toBe(2);
    expect(await count("webhook_events", `customer_id = '${id}' and type like 'customer.%'`)).toBe(2);

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
    const refused = await api.call("POST", `/customers/usr_upsert`, { body: { metadata: tooMany } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: "invalid_metadata", param: "metadata" } });

    const started = await api.call("POST", "/subscriptions", { body: { customer: "usr_upsert", plan: "free" } });
    expect(started.status).toBe(201);
    const blocked = await api.call("POST", "/customers/usr_upsert/archive", { body: {} });
    expect(blocked.json).toMatchObject({ error: { code: "customer_has_live_subscription" } });
    expect(blocked.status).toBe(422);
    await api.call("POST", `/subscriptions/${(started.json as Subscription).id}/cancel`, { body: { at: "now" } });
    const archived = await api.call("POST", "/customers/usr_upsert/archive", { body: { reason: "account deleted" } });
    expect(archived.status).toBe(200);
    expect((archived.json as { archived_at: string }).archived_at).toBe("2026-11-10T12:00:00.000Z");
    expect((await api.call("POST", "/customers", { body: { external_id: "usr_upsert", email: "x@example.dev" } })).json).toMatchObject({ error: { code: "customer_archived" } });
    expect((await api.call("POST", "/subscriptions", { body: { customer: "usr_upsert", plan: "free" } })).status).toBe(422);
    const listed = (await api.call("GET", "/customers?archived=true")).json as { data: { external_id: string }[] };
    expect(listed.data.map((customer) => customer.external_id)).toContain("usr_upsert");
  });

  it("starts a trial, refuses a second subscription and a bad promotion code without creating anything", async () => {
    const customerId = await signUp("usr_trial");
    const badCode = await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "pro", promotion_code: "NOPE99" } });
    expect(badCode.status).toBe(404);
    expect(badCode.json).toMatchObject({ error: { code: "promotion_unknown_code", param: "promotion_code" } });
    expect(await count("subscriptions", `customer_id = '${customerId}'`)).toBe(0);
    expect(await count("invoices", `customer_id = '${customerId}'`)).toBe(0);

    const unknownPlan = await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "platinum" } });
    expect(unknownPlan.json).toMatchObject({ error: { code: "plan_not_found", param: "plan" } });
    expect((await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "pro", seats: 0 } })).json).toMatchObject({ error: { code: "parameter_invalid", param: "seats" } });
    expect((await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "pro", billing_anchor: "2026-01-01T00:00:00Z" } })).json).toMatchObject({ error: { code: "invalid_billing_anchor" } });

    const trial = await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "pro", seats: 2, trial_days: 14, promotion_code: "WELCOME5" } });
    expect(trial.status).toBe(201);
    expect(trial.json).toMatchObject({ status: "trialing", seats: 2, plan: { key: "pro", version: 2 }, trial_end: "2026-11-24T12:00:00.000Z", base_fee_per_seat_micros: "24000000", base_fee_per_seat_cents: 2400 });
    expect(await count("invoices", `customer_id = '${customerId}'`)).toBe(0);
    const grants = (await api.call("GET", "/customers/usr_trial/credit_grants")).json as { data: { amount_micros: string; remaining_micros: string; category: string }[] };
    expect(grants.data).toEqual([expect.objectContaining({ amount_micros: "5000000", remaining_micros: "5000000", category: "promotional" })]);
    const balance = (await api.call("GET", "/customers/usr_trial/balance")).json as { balances: { currency: string; credit_available_micros: string }[] };
    expect(balance.balances).toEqual([expect.objectContaining({ currency: "usd", credit_available_micros: "5000000", credit_available_cents: 500 })]);

    const second = await api.call("POST", "/subscriptions", { body: { customer: "usr_trial", plan: "team" } });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ error: { code: "subscription_exists" } });
    const types = await executeRows<{ type: string }>(database.db, sql`select type from webhook_events where customer_id = ${customerId} order by sequence`);
    expect(types.map((row) => row.type)).toEqual(expect.arrayContaining(["customer.created", "subscription.created", "entitlement.changed"]));
  });

  it("previews an upgrade to the cent, applies it now with a proration invoice, downgrades at period end, cancels and resumes", async () => {
    const customerId = await signUp("usr_change");
    const started = (await api.call("POST", "/subscriptions", { body: { customer: "usr_change", plan: "pro", seats: 1, trial_days: 0 } })).json as Subscription;
    expect(started.status).toBe("active");
    const opening = (await api.call("GET", "/customers/usr_change/invoices")).json as { data: { kind: string; total_cents: number; lines: unknown[] }[] };
    expect(opening.data).toEqual([expect.objectContaining({ kind: "opening", total_cents: 2400 })]);

    clock.advanceMs(10 * 86_400_000);
    const preview = await api.call("POST", `/subscriptions/${started.id}/preview_change`, { body: { plan: "team" } });
    expect(preview.status).toBe(200);
    const previewed = preview.json as { direction: string; timing: string; proration_total_cents: number; proration_lines: { kind: string; amount_cents: number }[] };
    expect(previewed).toMatchObject({ direction: "upgrade", timing: "now" });
    // 20 of 30 days remain: −$24 × 20/30 + $40 × 20/30 = −16.00 + 26.67.
    expect(previewed.proration_lines.map((line) => [line.kind, line.amount_cents])).toEqual([["credit", -1600], ["debit", 2667]]);
    expect(previewed.proration_total_cents).toBe(1067);
    expect(await count("subscription_scheduled_changes")).toBe(0);

    const upgraded = (await api.call("POST", `/subscriptions/${started.id}/change`, { body: { plan: "team", reason: "customer picked Team" } })).json as Change;
    expect(upgraded).toMatchObject({ status: "applied", subscription: { plan: { key: "team" } }, preview: { proration_total_cents: 1067 } });
    const invoice = (await api.call("GET", `/invoices/${upgraded.invoice}`)).json as { kind: string; total_cents: number; lines: { amount_cents: number }[] };
    expect(invoice).toMatchObject({ kind: "proration", total_cents: 1067 });
    expect(invoice.lines.map((line) => line.amount_cents)).toEqual([-1600, 2667]);

    const downgrade = (await api.call("POST", `/subscriptions/${started.id}/change`, { body: { plan: "pro" } })).json as Change;
    expect(downgrade).toMatchObject({ status: "scheduled", subscription: { plan: { key: "team" }, pending_change: { plan_key: "pro", effective_at: started.current_period.end } } });

    const upcoming = (await api.call("GET", "/customers/usr_change/upcoming_invoice")).json as { lines: { kind: string; amount_cents: number }[]; total_cents: number };
    // The next period's fee in advance, at the plan scheduled for it.
    expect(upcoming.lines).toEqual([expect.objectContaining({ kind: "base_fee", amount_cents: 2400 })]);
    expect(upcoming.total_cents).toBe(2400);

    const canceling = (await api.call("POST", `/subscriptions/${started.id}/cancel`, { body: {} })).json as Change;
    expect(canceling).toMatchObject({ status: "scheduled", subscription: { cancel_at_period_end: true, pending_change: null } });
    expect((await api.call("POST", `/subscriptions/${started.id}/cancel`, { body: {} })).json).toMatchObject({ error: { code: "already_canceling" } });
    const resumed = (await api.call("POST", `/subscriptions/${started.id}/resume`, { body: {} })).json as Change;
    expect(resumed).toMatchObject({ status: "applied", subscription: { cancel_at_period_end: false } });
    const limit = await api.call("POST", `/subscriptions/${started.id}/spend_limit`, { body: { spend_limit_micros: "50000000", warning_thresholds_percent: [80, 50] } });
    expect(limit.json).toMatchObject({ spend_limit_micros: "50000000", spend_warning_thresholds_percent: [50, 80] });
    const ended = (await api.call("POST", `/subscriptions/${started.id}/cancel`, { body: { at: "now" } })).json as Change;
    expect(ended).toMatchObject({ status: "applied", subscription: { status: "canceled" } });
    expect((await api.call("POST", `/subscriptions/${started.id}/change`, { body: { seats: 3 } })).json).toMatchObject({ error: { code: "subscription_canceled" } });

    const types = await executeRows<{ type: string }>(database.db, sql`select type from webhook_events where customer_id = ${customerId} and type like 'subscription.%' order by sequence`);
    expect(types.map((row) => row.type)).toEqual(["subscription.created", "subscription.updated", "subscription.updated", "subscription.updated", "subscription.updated", "subscription.updated", "subscription.canceled"]);
    const listed = (await api.call("GET", `/subscriptions?customer=usr_change`)).json as { data: { id: string }[] };
    expect(listed.data.map((row) => row.id)).toEqual([started.id]);
  });
});
