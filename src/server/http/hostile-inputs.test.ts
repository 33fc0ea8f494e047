import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as apiGet, POST as apiPost } from "@/app/api/v1/[...path]/route";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { createCaller } from "@/server/api/root";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

/*
 * Issue 16, defect 3: NUL (raw or as %00) and unpaired surrogates in the entitlement check, the
 * promotion redeem, the /usage and /entitlements paths and tRPC inputs answer 400 with a code,
 * never 500.
 */

let database: TestDatabase;
let key: string;
let hot: HotRouteServer;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  hot = await startHotRouteServer();
  useRouteDatabase(database);
  key = (await createApiKey(database.db, { actor: systemActor("test"), name: "all", scopes: ["ingest", "entitlements", "read"] })).key;
});
afterAll(async () => {
  await hot?.close();
  await database.drop();
});

const hostile = ["cus\u0000x", "cus\ud800", "\udfff", "\u0000"];
const auth = () => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
const codeOf = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error?: { code?: string } }).error?.code });

describe("hostile text at every boundary", () => {
  it("the entitlement check (both paths) and the promotion redeem answer 400", async () => {
    for (const text of hostile) {
      for (const body of [{ customer: text, feature: "f" }, { customer: "cus_1", feature: text }]) {
        const request = () => new Request("http://tally.test/api/v1/entitlements/check", { method: "POST", headers: auth(), body: JSON.stringify(body) });
        expect(await codeOf(await checkRoute(request()))).toEqual({ status: 400, code: "invalid_text" });
        expect(await codeOf(await hot.send(request()))).toEqual({ status: 400, code: "invalid_text" });
      }
      const redeem = await apiPost(new Request("http://tally.test/api/v1/promotions/redeem", { method: "POST", headers: auth(), body: JSON.stringify({ customer: "cus_1", code: text }) }));
      expect(await codeOf(redeem)).toEqual({ status: 400, code: "invalid_text" });
    }
    // Over HTTP a path segment is percent-encoded: NUL arrives as %00, an unpaired surrogate as bytes that are not UTF-8.
    for (const segment of ["%00", "cus%00x", "%ED%A0%80", "%ED%BF%BF"]) {
      const consume = await apiPost(new Request(`http://tally.test/api/v1/entitlements/reservations/${segment}/consume`, { method: "POST", headers: auth(), body: "{}" }));
      expect(await codeOf(consume)).toEqual({ status: 400, code: "invalid_path" });
    }
  });

  it("a negative consumed quantity is a 400 parameter_invalid, not a 500 (found by fuzzing)", async () => {
    for (const quantity of ["-1", "-02357118.04422401", "-0"]) {
      const consume = await apiPost(
        new Request("http://tally.test/api/v1/entitlements/reservations/0000000a-cfda-3c3b-8000-0011538d4fab/consume", { method: "POST", headers: auth(), body: JSON.stringify({ quantity }) }),
      );
      expect(await codeOf(consume)).toEqual({ status: 400, code: "parameter_invalid" });
    }
  });

  it("the /usage and /entitlements paths answer 400 for NUL and %00, and a NUL in a query string is a 400 too", async () => {
    for (const segment of ["%00", "cus%00x", "%ED%A0%80", "%ED%BF%BF"]) {
      const usage = await apiGet(new Request(`http://tally.test/api/v1/customers/${segment}/usage?meter=m&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`, { headers: auth() }));
      expect(await codeOf(usage)).toEqual({ status: 400, code: "invalid_path" });
      const entitlements = await apiGet(new Request(`http://tally.test/api/v1/customers/${segment}/entitlements`, { headers: auth() }));
      expect(await codeOf(entitlements)).toEqual({ status: 400, code: "invalid_path" });
    }
    const query = await apiGet(new Request("http://tally.test/api/v1/customers/cus_1/usage?meter=a%00b&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", { headers: auth() }));
    expect((await codeOf(query)).status).toBe(400);
  });

  it("tRPC inputs (customer search, names) answer BAD_REQUEST with a code", async () => {
    const caller = createCaller({ db: database.db, clock: fixedClock("2026-03-01T00:00:00Z"), user: { id: "user_admin", email: "admin@tally.test", name: "Admin", role: "admin" } });
    for (const text of hostile) {
      const search = await caller.customer.list({ search: text }).catch((error: unknown) => error);
      expect(search).toBeInstanceOf(TRPCError);
      expect([(search as TRPCError).code, isDomainError((search as TRPCError).cause) ? ((search as TRPCError).cause as unknown as { code: string }).code : null]).toEqual([
        "BAD_REQUEST",
        "invalid_text",
      ]);
      const product = await caller.catalog.product.create({ key: "k", name: text }).catch((error: unknown) => error);
      expect((product as TRPCError).code).toBe("BAD_REQUEST");
    }
  });
});
