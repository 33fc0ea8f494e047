import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { POST as eventsRoute } from "@/app/api/v1/events/route";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { cloudEvent } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { hotRouteFor } from "./hot-routes";
import { fallThroughStatus, startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

let database: TestDatabase;
let hot: HotRouteServer;
let entitlementsKey: string;
let ingestKey: string;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  hot = await startHotRouteServer();
  entitlementsKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "edge", scopes: ["entitlements"] })).key;
  ingestKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
});
afterAll(async () => {
  await hot?.close();
  await database.drop();
});

function request(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(`http://tally.test${path}`, { method: init.method ?? "POST", ...(init.body === undefined ? {} : { body: init.body }), headers: init.headers ?? {} });
}

async function answer(response: Response): Promise<{ status: number; contentType: string | null; body: unknown }> {
  return { status: response.status, contentType: response.headers.get("content-type"), body: (await response.json()) as unknown };
}

describe("hot routes", () => {
  it("take exactly their method and path (any query string) and leave every other request to the server", async () => {
    expect(hotRouteFor("POST", "/api/v1/events")).toBeDefined();
    expect(hotRouteFor("POST", "/api/v1/entitlements/check?trace=1")).toBeDefined();
    for (const [method, path] of [
      ["GET", "/api/v1/events"],
      ["POST", "/api/v1/events/"],
      ["POST", "/api/v1/events/extra"],
      ["POST", "/api/v1/entitlements/checks"],
      ["POST", "/api/health"],
      ["GET", "/customers"],
    ] as const) {
      expect(hotRouteFor(method, path)).toBeUndefined();
      const response = await hot.send(request(path, { method, ...(method === "POST" ? { body: "{}" } : {}) }));
      expect(response.status, `${method} ${path}`).toBe(fallThroughStatus);
      await response.text();
    }
    const taken = await hot.send(request("/api/v1/entitlements/check?trace=1", { body: "{}" }));
    expect(await answer(taken)).toMatchObject({ status: 401, body: { error: { code: "missing_api_key" } } });
  });

  it("answer entitlement checks exactly as the route handler does", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([
      { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "5", overage: "block" },
      { featureKey: catalog.featureKeys.tier, kind: "config", value: "community" },
    ]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id, anchor: new Date(Date.now() - 86_400_000) });
    const auth = { authorization: `Bearer ${entitlementsKey}` };
    const cases: { body: string; headers: Record<string, string>; status: number }[] = [
      { body: JSON.stringify({ customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "2" }), headers: auth, status: 200 },
      { body: JSON.stringify({ customer: customer.externalId, feature: catalog.featureKeys.requests, quantity: "9" }), headers: auth, status: 200 },
      { body: JSON.stringify({ customer: customer.externalId, feature: catalog.featureKeys.tier }), headers: auth, status: 200 },
      { body: JSON.stringify({ customer: "nobody", feature: "x" }), headers: auth, status: 200 },
      { body: JSON.stringify({ customer: customer.externalId, feature: "x", quantity: "-1" }), headers: auth, status: 400 },
      { body: "{", headers: auth, status: 400 },
      { body: "x".repeat(5_000), headers: auth, status: 413 },
      { body: "{}", headers: { authorization: `Bearer ${ingestKey}` }, status: 403 },
      { body: "{}", headers: {}, status: 401 },
    ];
    for (const [index, { body, headers: given, status }] of cases.entries()) {
      // The same request id on both paths, so the error bodies (which carry it) compare byte for byte.
      const headers = { ...given, "x-request-id": `req_hot_route_case_${index}` };
      const viaRoute = await answer(await checkRoute(request("/api/v1/entitlements/check", { body, headers })));
      const viaHot = await answer(await hot.send(request("/api/v1/entitlements/check", { body, headers })));
      expect(viaRoute.status, body.slice(0, 80)).toBe(status);
      expect(viaHot).toEqual(viaRoute);
    }
  });

  it("answer event batches exactly as the route handler does, per event", async () => {
    const events = (source: string) => [
      cloudEvent({ source, id: "a" }),
      { ...cloudEvent({ source, id: "b" }), time: "yesterday" },
      cloudEvent({ source, id: "a" }),
      { ...cloudEvent({ source, id: "c" }), subject: "" },
    ];
    const headers = { authorization: `Bearer ${ingestKey}`, "content-type": "application/cloudevents-batch+json" };
    const viaRoute = await answer(await eventsRoute(request("/api/v1/events", { body: JSON.stringify(events("parity-route")), headers })));
    const viaHot = await answer(await hot.send(request("/api/v1/events", { body: JSON.stringify(events("parity-hot")), headers })));
    expect(viaRoute).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 1, rejected: 2 } });
    const withoutSource = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll("parity-route", "S").replaceAll("parity-hot", "S")) as unknown;
    expect(withoutSource(viaHot)).toEqual(withoutSource(viaRoute));
  });
});
