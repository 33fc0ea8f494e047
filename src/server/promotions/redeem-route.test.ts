import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/[...path]/route";
import { customers } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createPromotion } from "./create-promotion";
import { setPromotionStatus } from "./set-promotion-status";

let database: TestDatabase;
let entitlementsKey: string;
let readKey: string;
const actor = systemActor("route-test");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  entitlementsKey = (await createApiKey(database.db, { actor, name: "product", scopes: ["entitlements"] })).key;
  readKey = (await createApiKey(database.db, { actor, name: "read", scopes: ["read"] })).key;
  await database.db.insert(customers).values([
    { externalId: "usr_route_1", name: "Route One", email: "one@example.dev", kind: "individual" },
    { externalId: "usr_route_2", name: "Route Two", email: "two@example.dev", kind: "individual" },
  ]);
  const clock = fixedClock(new Date());
  const promotion = await createPromotion(database.db, actor, clock, {
    name: "Route promo",
    startsAt: new Date(Date.now() - 86_400_000),
    effect: { type: "credit", amountMicros: "10000000", currency: "usd", expiryDays: null },
    sharedCode: "ROUTE10",
    maxRedemptions: 1,
  });
  await setPromotionStatus(database.db, actor, clock, { promotionId: promotion.id, status: "active" });
  await createPromotion(database.db, actor, clock, { name: "Draft", startsAt: new Date(), effect: { type: "credit", amountMicros: "1000000", currency: "usd", expiryDays: 1 }, sharedCode: "ROUTEDRAFT" });
});
afterAll(async () => {
  await database.drop();
});

function post(body: unknown, key = entitlementsKey): Promise<Response> {
  return POST(new Request("http://tally.test/api/v1/promotions/redeem", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }));
}

describe("POST /api/v1/promotions/redeem", () => {
  it("redeems with 200 and maps refusals to 404 / 409 / 422 with a stable code", async () => {
    const ok = await post({ customer: "usr_route_1", code: "route10" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ redeemed: true, effect: { type: "credit", amountMicros: "10000000", currency: "usd", expiresAt: null } });
    const again = await post({ customer: "usr_route_1", code: "ROUTE10" });
    expect([again.status, await again.json()]).toEqual([409, { error: { code: "already_redeemed", message: expect.any(String), param: "code", request_id: expect.any(String) } }]);
    expect((await post({ customer: "usr_route_2", code: "ROUTE10" })).status).toBe(409);
    const unknown = await post({ customer: "usr_route_2", code: "NOPE123" });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([404, "unknown_code"]);
    const draft = await post({ customer: "usr_route_2", code: "ROUTEDRAFT" });
    expect([draft.status, ((await draft.json()) as { error: { code: string } }).error.code]).toEqual([422, "not_active"]);
    expect((await post({ customer: "nobody", code: "ROUTE10" })).status).toBe(404);
    expect((await post({ code: "ROUTE10" })).status).toBe(400);
    expect((await post({ customer: "usr_route_2", code: "ROUTE10" }, readKey)).status).toBe(403);
    await expectLedgerConsistent(database.db);
  });
});
