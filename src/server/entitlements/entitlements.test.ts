import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { GET as apiGet } from "@/app/api/v1/[...path]/route";
import { executeRows } from "@/db/execute";
import { allowanceGrants, entitlementReservations, notifications, subscriptions } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { setSpendLimit } from "@/server/customers/set-spend-limit";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { ingestEvents } from "@/server/metering/ingest-events";
import { cloudEvent, rollUpEverything } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { checkEntitlement } from "./check-entitlement";
import { consumeReservation } from "./consume-reservation";
import { consumeReservationsFromEvents } from "./consume-reservations-from-events";
import { expireReservations } from "./expire-reservations";
import { listEntitlements } from "./list-entitlements";
import { markEntitlementsChanged } from "./mark-entitlements-changed";
import { releaseReservation } from "./release-reservation";
import { liftEntitlementRestriction, restrictEntitlements } from "./restrict-entitlements";
import { createEntitlementCatalog, createSubscribedCustomer } from "./test-fixtures";

let database: TestDatabase;
let catalog: Awaited<ReturnType<typeof createEntitlementCatalog>>;
let basic: Awaited<ReturnType<typeof catalog.publish>>;
let bigger: Awaited<ReturnType<typeof catalog.publish>>;
let billed: Awaited<ReturnType<typeof catalog.publish>>;
const actor = systemActor("test");
const now = "2026-04-20T12:00:00Z";

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  catalog = await createEntitlementCatalog(database.db);
  const { featureKeys: f, meterKeys: m } = catalog;
  basic = await catalog.publish([
    { featureKey: f.requests, kind: "metered", meterKey: m.requests, allowancePerPeriod: "5", overage: "block" },
    { featureKey: f.sso, kind: "boolean", enabled: true },
    { featureKey: f.beta, kind: "boolean", enabled: false },
    { featureKey: f.tier, kind: "config", value: "community" },
  ]);
  bigger = await catalog.publish([
    { featureKey: f.requests, kind: "metered", meterKey: m.requests, allowancePerPeriod: "50", overage: "block" },
    { featureKey: f.tier, kind: "config", value: "priority" },
  ]);
  billed = await catalog.publish(
    [
      { featureKey: f.tokens, kind: "metered", meterKey: m.tokens, allowancePerPeriod: null, overage: "bill" },
      { featureKey: f.requests, kind: "metered", meterKey: m.requests, allowancePerPeriod: "3", overage: "block" },
    ],
    // $0.001 per token: 1,000 micro-units each.
    [{ meterKey: m.tokens, price: { model: "per_unit", unitPrice: "0.001", includedQuantity: "0" } }],
  );
});
afterAll(async () => {
  await database.drop();
});

async function sendRequests(subject: string, count: number, time: string, extra: Record<string, unknown> = {}) {
  const events = Array.from({ length: count }, () => cloudEvent({ type: `req.${catalog.meterKeys.requests.slice(9)}`, subject, time, data: extra }));
  const result = await ingestEvents(database.db, events, { clock: fixedClock(time) });
  expect(result.accepted).toBe(count);
}

async function sendTokens(subject: string, tokens: number, time: string, model = "small") {
  const event = cloudEvent({ type: `llm.${catalog.meterKeys.tokens.slice(7)}`, subject, time, data: { tokens, model } });
  expect((await ingestEvents(database.db, [event], { clock: fixedClock(time) })).accepted).toBe(1);
}

describe("checkEntitlement", () => {
  it("answers every refusal code", async () => {
    const clock = fixedClock(now);
    const { featureKeys: f } = catalog;
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id });
    const check = (feature: string, extra: Record<string, unknown> = {}, who = customer.externalId) =>
      checkEntitlement(database.db, { customer: who, feature, ...extra }, { clock });
    expect(await check(f.sso, {}, "nobody")).toMatchObject({ allowed: false, reason: "unknown_customer" });
    expect(await check("no_such_feature")).toMatchObject({ allowed: false, reason: "unknown_feature" });
    expect(await check(f.extra)).toMatchObject({ allowed: false, reason: "not_in_plan" });
    expect(await check(f.beta)).toMatchObject({ allowed: false, reason: "feature_disabled", kind: "boolean" });
    expect(await check(f.sso)).toMatchObject({ allowed: true, reason: "ok", kind: "boolean", limit: null });
    expect(await check(f.tier)).toMatchObject({ allowed: true, reason: "ok", kind: "config", value: "community" });
    expect(await check(f.requests, { quantity: "5" })).toMatchObject({ allowed: true, reason: "ok", limit: "5", used: "0", remaining: "5", overage: "block" });
    expect(await check(f.requests, { quantity: "6" })).toMatchObject({ allowed: false, reason: "allowance_exhausted" });

    await database.db.update(subscriptions).set({ status: "past_due" }).where(eq(subscriptions.customerId, customer.id));
    await markEntitlementsChanged(database.db, customer.id);
    expect(await check(f.requests)).toMatchObject({ allowed: true, reason: "ok" });
    await database.db.transaction(async (tx) => restrictEntitlements(tx, actor, { customerId: customer.id, scope: "usage_based", reason: "dunning: grace period over" }));
    expect(await check(f.requests)).toMatchObject({ allowed: false, reason: "subscription_inactive" });
    expect(await check(f.sso)).toMatchObject({ allowed: true });
    await restrictEntitlements(database.db, actor, { customerId: customer.id, scope: "all", reason: "dunning: final notice" });
    expect(await check(f.sso)).toMatchObject({ allowed: false, reason: "subscription_inactive" });
    expect(await liftEntitlementRestriction(database.db, actor, { customerId: customer.id, reason: "paid" })).toBe(true);
    expect(await check(f.requests)).toMatchObject({ allowed: true });
    for (const status of ["unpaid", "canceled"] as const) {
      await database.db.update(subscriptions).set({ status }).where(eq(subscriptions.customerId, customer.id));
      await markEntitlementsChanged(database.db, customer.id);
      expect(await check(f.sso)).toMatchObject({ allowed: false, reason: "subscription_inactive" });
    }

    const spender = await createSubscribedCustomer(database.db, { planVersionId: billed.id, spendLimitMicros: 0n });
    expect(await check(f.tokens, {}, spender.externalId)).toMatchObject({ allowed: false, reason: "spend_limit_reached" });
  });

  it("refuses malformed input with a code and writes nothing", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id });
    const bad = [
      { customer: customer.externalId },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: 1 },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "-1", reserve: true },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "1e3" },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, ttlSeconds: 10 },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, reserve: true, ttlSeconds: 0 },
      { customer: "x".repeat(300), feature: catalog.featureKeys.requests },
      { customer: customer.externalId, feature: catalog.featureKeys.requests, surprise: true },
    ];
    for (const input of bad) {
      await expect(checkEntitlement(database.db, input as never)).rejects.toMatchObject({ code: "invalid_entitlement_check", kind: "invalid" });
    }
    const held = await database.db.select().from(entitlementReservations).where(eq(entitlementReservations.customerId, customer.id));
    expect(held).toHaveLength(0);
  });

  it("counts rolled-up usage and events not yet rolled up, exactly", async () => {
    const clock = fixedClock(now);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id });
    await sendRequests(customer.externalId, 2, "2026-04-16T10:00:00Z");
    await rollUpEverything(database.db);
    await sendRequests(customer.externalId, 2, "2026-04-20T11:00:00Z"); // past the rollup cursor
    await sendRequests(customer.externalId, 3, "2026-04-14T23:00:00Z"); // the previous period
    const result = await checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests }, { clock });
    expect(result).toMatchObject({ allowed: true, used: "4", remaining: "1", limit: "5" });
    expect(result.resetsAt?.toISOString()).toBe("2026-05-15T00:00:00.000Z");
    await rollUpEverything(database.db);
    expect(await checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "2" }, { clock })).toMatchObject({
      allowed: false,
      reason: "allowance_exhausted",
      used: "4",
    });
  });

  it("resets allowances at the billing anchor, also when the anchor is off the hour", async () => {
    const clock = fixedClock("2026-05-15T00:29:00Z");
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id, anchor: new Date("2026-01-15T00:30:00Z") });
    await sendRequests(customer.externalId, 5, "2026-05-15T00:10:00Z");
    const check = () => checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests }, { clock });
    expect(await check()).toMatchObject({ allowed: false, reason: "allowance_exhausted", used: "5" });
    clock.set("2026-05-15T00:30:00Z");
    const fresh = await check();
    expect(fresh).toMatchObject({ allowed: true, used: "0", remaining: "5" });
    expect(fresh.resetsAt?.toISOString()).toBe("2026-06-15T00:30:00.000Z");
    // Same rollup hour as the five above, but in the new period: only this one counts.
    await sendRequests(customer.externalId, 1, "2026-05-15T00:40:00Z");
    clock.set("2026-05-15T01:00:00Z");
    await rollUpEverything(database.db);
    expect(await check()).toMatchObject({ used: "1" });
  });

  it("sees a plan change or a new grant on the very next check", async () => {
    const clock = fixedClock(now);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id });
    const { featureKeys: f, meterKeys: m } = catalog;
    const check = (feature: string, quantity = "1") => checkEntitlement(database.db, { customer: customer.externalId, feature, quantity }, { clock });
    expect(await check(f.requests, "10")).toMatchObject({ allowed: false, limit: "5" });
    expect(await check(f.tier)).toMatchObject({ value: "community" });
    await database.db.transaction(async (tx) => {
      await tx.update(subscriptions).set({ planVersionId: bigger.id }).where(eq(subscriptions.customerId, customer.id));
      await markEntitlementsChanged(tx, customer.id);
    });
    expect(await check(f.requests, "10")).toMatchObject({ allowed: true, limit: "50" });
    expect(await check(f.tier)).toMatchObject({ value: "priority" });
    expect(await check(f.extra)).toMatchObject({ reason: "not_in_plan" });
    await database.db.transaction(async (tx) => {
      await tx.insert(allowanceGrants).values([
        { customerId: customer.id, featureKey: f.requests, meterKey: m.requests, quantityPerPeriod: "25.5", startsAt: new Date("2026-04-01T00:00:00Z"), endsAt: new Date("2026-07-01T00:00:00Z") },
        { customerId: customer.id, featureKey: f.extra, meterKey: m.requests, quantityPerPeriod: "2", startsAt: new Date("2026-04-01T00:00:00Z"), endsAt: new Date("2026-07-01T00:00:00Z") },
      ]);
      await markEntitlementsChanged(tx, customer.id);
    });
    expect(await check(f.requests, "75")).toMatchObject({ allowed: true, limit: "75.5" });
    expect(await check(f.extra, "2")).toMatchObject({ allowed: true, limit: "2", overage: "block" });
    expect(await check(f.extra, "3")).toMatchObject({ allowed: false, reason: "allowance_exhausted" });
    clock.set("2026-07-01T00:00:00Z");
    expect(await check(f.requests, "51")).toMatchObject({ allowed: false, limit: "50" });
  });
});

describe("spend limit", () => {
  it("blocks overage-billed features once reached and warns once per threshold per period", async () => {
    const clock = fixedClock(now);
    const { featureKeys: f } = catalog;
    const customer = await createSubscribedCustomer(database.db, { planVersionId: billed.id, spendLimitMicros: 1_000_000n });
    const check = (quantity: string, feature = f.tokens) => checkEntitlement(database.db, { customer: customer.externalId, feature, quantity }, { clock });
    const warnings = async () =>
      (await database.db.select().from(notifications).where(and(eq(notifications.customerId, customer.id), eq(notifications.kind, "spend_limit.warning"))))
        .map((row) => row.payload.thresholdPercent)
        .sort();
    await sendTokens(customer.externalId, 600, "2026-04-18T10:00:00Z", "small");
    expect(await check("1")).toMatchObject({ allowed: true, spend: { limitMicros: 1_000_000n, usedMicros: 600_000n } });
    expect(await warnings()).toEqual([50]);
    await sendTokens(customer.externalId, 300, "2026-04-19T10:00:00Z", "large");
    await rollUpEverything(database.db);
    expect(await check("200")).toMatchObject({ allowed: false, reason: "spend_limit_reached" });
    expect(await check("100")).toMatchObject({ allowed: true, reason: "ok" });
    expect(await warnings()).toEqual([50, 80]);
    // Hard-limited features are not governed by the spend limit.
    expect(await check("1", f.requests)).toMatchObject({ allowed: true });
    await sendTokens(customer.externalId, 100, "2026-04-20T10:00:00Z");
    expect(await check("1")).toMatchObject({ allowed: false, reason: "spend_limit_reached" });
    await check("1");
    await listEntitlements(database.db, { customerId: customer.id }, { clock });
    expect(await warnings()).toEqual([100, 50, 80].sort());

    await setSpendLimit(database.db, actor, clock, { customerId: customer.id, spendLimitMicros: 2_000_000n, reason: "customer asked" });
    expect(await check("1")).toMatchObject({ allowed: true, spend: { limitMicros: 2_000_000n, usedMicros: 1_000_000n } });
    // Next period: usage and warnings start over.
    clock.set("2026-05-15T00:00:00Z");
    await setSpendLimit(database.db, actor, clock, { customerId: customer.id, spendLimitMicros: 1_000_000n, reason: "back" });
    expect(await check("500")).toMatchObject({ allowed: true, spend: { usedMicros: 0n } });
    await sendTokens(customer.externalId, 500, "2026-05-15T00:00:00Z");
    await check("1");
    const rows = await executeRows<{ count: string }>(database.db, sql`select count(*)::text as count from notifications where customer_id = ${customer.id}`);
    expect(rows[0]?.count).toBe("4");
  });

  it("warns at the customer's own thresholds, from the very next check after they change", async () => {
    const clock = fixedClock(now);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: billed.id, spendLimitMicros: 1_000_000n });
    const check = () => checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.tokens, quantity: "1" }, { clock });
    const warnings = async () =>
      (await database.db.select().from(notifications).where(and(eq(notifications.customerId, customer.id), eq(notifications.kind, "spend_limit.warning"))))
        .map((row) => row.payload.thresholdPercent as number)
        .sort((a, b) => a - b);
    await check(); // caches the definition with the default thresholds
    await setSpendLimit(database.db, actor, clock, { customerId: customer.id, spendLimitMicros: 1_000_000n, warningThresholdsPercent: [90, 25, 25], reason: "asked" });
    await sendTokens(customer.externalId, 300, "2026-04-18T10:00:00Z");
    expect(await check()).toMatchObject({ allowed: true, spend: { usedMicros: 300_000n } });
    // 30% of the limit: past 25%, short of the default 50%.
    expect(await warnings()).toEqual([25]);
    expect((await listEntitlements(database.db, { customerId: customer.id }, { clock })).subscription?.spendWarningThresholdsPercent).toEqual([25, 90]);

    for (const bad of [[0], [1001], [2.5], Array.from({ length: 11 }, (_, index) => index + 1)]) {
      await expect(
        setSpendLimit(database.db, actor, clock, { customerId: customer.id, spendLimitMicros: 5n, warningThresholdsPercent: bad, reason: "bad" }),
      ).rejects.toMatchObject({ code: "invalid_spend_warning_thresholds" });
    }
    // Refused changes change nothing; an empty list turns warnings off.
    expect(await check()).toMatchObject({ spend: { limitMicros: 1_000_000n } });
    await setSpendLimit(database.db, actor, clock, { customerId: customer.id, spendLimitMicros: 1_000_000n, warningThresholdsPercent: [], reason: "quiet" });
    await sendTokens(customer.externalId, 650, "2026-04-18T11:00:00Z");
    expect(await check()).toMatchObject({ spend: { usedMicros: 950_000n } });
    expect(await warnings()).toEqual([25]);
  });
});

describe("reservations", () => {
  it("hold until consumed by the usage event, released, or expired", async () => {
    const clock = fixedClock(now);
    const { featureKeys: f } = catalog;
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id });
    const reserve = (quantity: string, ttlSeconds = 60) =>
      checkEntitlement(database.db, { customer: customer.externalId, feature: f.requests, quantity, reserve: true, ttlSeconds }, { clock });
    const first = await reserve("3");
    expect(first).toMatchObject({ allowed: true, used: "3", remaining: "2" });
    expect(first.reservationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await reserve("3")).toMatchObject({ allowed: false, reason: "allowance_exhausted", used: "3" });
    const second = await reserve("2", 30);
    expect(second.allowed).toBe(true);

    // Expiry: the second hold stops counting at its TTL, before any worker runs.
    clock.advanceMs(31_000);
    expect(await checkEntitlement(database.db, { customer: customer.externalId, feature: f.requests }, { clock })).toMatchObject({ used: "3" });
    expect(await expireReservations(database.db, { clock })).toBe(1);
    const [expired] = await database.db.select().from(entitlementReservations).where(eq(entitlementReservations.id, second.reservationId!));
    expect(expired?.status).toBe("expired");

    // Consumption: the event carrying the reservation id settles the hold; usage now counts instead.
    await sendRequests(customer.externalId, 1, "2026-04-20T12:00:10Z", { reservation_id: first.reservationId });
    await rollUpEverything(database.db);
    let consumed = 0;
    for (let round = 0; round < 100 && consumed === 0; round++) consumed += (await consumeReservationsFromEvents(database.db)).consumed;
    expect(consumed).toBe(1);
    const [settled] = await database.db.select().from(entitlementReservations).where(eq(entitlementReservations.id, first.reservationId!));
    expect(settled).toMatchObject({ status: "consumed", consumedQuantity: "1" });
    expect(await checkEntitlement(database.db, { customer: customer.externalId, feature: f.requests }, { clock })).toMatchObject({ used: "1" });
    expect((await consumeReservation(database.db, first.reservationId!, "1")).status).toBe("already_settled");

    const third = await reserve("4");
    expect(third.allowed).toBe(true);
    expect((await releaseReservation(database.db, third.reservationId!, { clock })).status).toBe("released");
    expect(await checkEntitlement(database.db, { customer: customer.externalId, feature: f.requests }, { clock })).toMatchObject({ used: "1" });
    const fourth = await reserve("4");
    expect((await consumeReservation(database.db, fourth.reservationId!, "2", { clock })).status).toBe("consumed");
    expect((await releaseReservation(database.db, fourth.reservationId!)).status).toBe("already_settled");
  });

  it("hold the dearest cost against a spend limit", async () => {
    const clock = fixedClock(now);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: billed.id, spendLimitMicros: 500_000n });
    const reserve = (quantity: string) =>
      checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.tokens, quantity, reserve: true }, { clock });
    expect(await reserve("300")).toMatchObject({ allowed: true, spend: { usedMicros: 300_000n } });
    expect(await reserve("300")).toMatchObject({ allowed: false, reason: "spend_limit_reached" });
    expect(await reserve("200")).toMatchObject({ allowed: true, spend: { usedMicros: 500_000n } });
  });
});

describe("HTTP", () => {
  it("checks and lists with an `entitlements` key; bad input is a 400 with nothing written", async () => {
    useRouteDatabase(database);
    const key = (await createApiKey(database.db, { actor, name: "edge", scopes: ["entitlements"] })).key;
    const readKey = (await createApiKey(database.db, { actor, name: "reader", scopes: ["read"] })).key;
    const customer = await createSubscribedCustomer(database.db, { planVersionId: basic.id, anchor: new Date(Date.now() - 86_400_000) });
    const post = (body: unknown, apiKey = key) =>
      checkRoute(new Request("http://tally.test/api/v1/entitlements/check", { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${apiKey}` } }));
    const ok = await post({ customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "2", reserve: true });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ allowed: true, reason: "ok", limit: "5", used: "2", remaining: "3", overage: "block" });
    expect(typeof body.reservationId).toBe("string");
    expect(typeof body.resetsAt).toBe("string");
    const refused = await post({ customer: "nobody", feature: "x" });
    expect(await refused.json()).toMatchObject({ allowed: false, reason: "unknown_customer" });
    const invalid = await post({ customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "abc", reserve: true });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: "invalid_entitlement_check" } });
    const notJson = await checkRoute(new Request("http://tally.test/api/v1/entitlements/check", { method: "POST", body: "{", headers: { authorization: `Bearer ${key}` } }));
    expect(notJson.status).toBe(400);
    expect((await post({ customer: customer.externalId, feature: "x" }, readKey)).status).toBe(403);
    const held = await database.db.select().from(entitlementReservations).where(eq(entitlementReservations.customerId, customer.id));
    expect(held).toHaveLength(1);

    const list = await apiGet(new Request(`http://tally.test/api/v1/customers/${customer.externalId}/entitlements`, { headers: { authorization: `Bearer ${key}` } }));
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { features: { feature: string; reason: string }[] };
    expect(listed.features.map((feature) => feature.feature).sort()).toEqual(
      [catalog.featureKeys.requests, catalog.featureKeys.sso, catalog.featureKeys.beta, catalog.featureKeys.tier].sort(),
    );
    expect(listed.features.find((feature) => feature.feature === catalog.featureKeys.beta)?.reason).toBe("feature_disabled");
    const missing = await apiGet(new Request("http://tally.test/api/v1/customers/nobody/entitlements", { headers: { authorization: `Bearer ${key}` } }));
    expect(missing.status).toBe(404);
  });
});
