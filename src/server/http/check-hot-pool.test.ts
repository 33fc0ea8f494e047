import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase as setRouteDatabase } from "./use-route-database";

/*
 * Issue 16, defect 5: the checks of a process share one pipelined connection, so a slow check
 * must not hold the others for long. Its statements are cancelled after the hot pool's
 * statement timeout and the check is answered from the main pool instead: here the rollups are
 * locked for longer than the hot pool's timeout (300 ms), and the checks are still answered,
 * correctly, once the lock is gone.
 */

let database: TestDatabase;
let impatient: DatabaseHandle;
let key: string;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  impatient = await openDatabase({ url: database.url, poolMax: 2, hotStatementTimeoutMs: 300 });
  setRouteDatabase(impatient);
  key = (await createApiKey(database.db, { actor: systemActor("test"), name: "edge", scopes: ["entitlements"] })).key;
});
afterAll(async () => {
  await impatient?.close();
  await database.drop();
});

describe("a check whose statement outlives the hot pool's timeout", () => {
  it("is answered from the main pool, the same as it would have been", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([
      { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "5", overage: "block" },
    ]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id, anchor: new Date(Date.now() - 86_400_000) });
    // Warm: the definition is cached, the connections are open.
    await check(customer.externalId, catalog.featureKeys.requests, "1");
    for (const [quantity, allowed] of [
      ["2", true],
      ["9", false],
    ] as const) {
      let releaseLock: () => void = () => {};
      const locked = database.db.transaction(async (tx) => {
        await tx.execute(sql`lock table usage_rollups in access exclusive mode`);
        await new Promise<void>((resolve) => (releaseLock = resolve));
      });
      const answer = check(customer.externalId, catalog.featureKeys.requests, quantity);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      releaseLock();
      await locked;
      const response = await answer;
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ allowed, reason: allowed ? "ok" : "allowance_exhausted" });
    }
  });
});

function check(customer: string, feature: string, quantity: string): Promise<Response> {
  return checkRoute(
    new Request("http://tally.test/api/v1/entitlements/check", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ customer, feature, quantity }),
    }),
  );
}
