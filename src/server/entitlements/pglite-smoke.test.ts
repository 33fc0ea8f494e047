import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { fixedClock } from "@/server/clock";
import { ingestEvents } from "@/server/metering/ingest-events";
import { cloudEvent } from "@/server/metering/test-events";
import { checkEntitlement } from "./check-entitlement";
import { createEntitlementCatalog, createSubscribedCustomer } from "./test-fixtures";
import { createPgliteTestDatabase } from "@/test/database";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createPgliteTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("checkEntitlement on PGlite (development)", () => {
  it("checks, counts usage and reserves", async () => {
    const catalog = await createEntitlementCatalog(handle.db, "pg");
    const version = await catalog.publish([
      { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "3", overage: "block" },
      { featureKey: catalog.featureKeys.sso, kind: "boolean", enabled: true },
    ]);
    const customer = await createSubscribedCustomer(handle.db, { planVersionId: version.id });
    const clock = fixedClock("2026-04-20T12:00:00Z");
    await ingestEvents(handle.db, [cloudEvent({ type: "req.pg", subject: customer.externalId, time: "2026-04-20T11:00:00Z" })], { clock });
    const check = (feature: string, extra: Record<string, unknown> = {}) =>
      checkEntitlement(handle.db, { customer: customer.externalId, feature, ...extra }, { clock });
    expect(await check(catalog.featureKeys.sso)).toMatchObject({ allowed: true, reason: "ok" });
    expect(await check(catalog.featureKeys.requests)).toMatchObject({ allowed: true, used: "1", remaining: "2" });
    const held = await check(catalog.featureKeys.requests, { quantity: "2", reserve: true });
    expect(held).toMatchObject({ allowed: true, used: "3" });
    expect(held.reservationId).toBeDefined();
    expect(await check(catalog.featureKeys.requests, { reserve: true })).toMatchObject({ allowed: false, reason: "allowance_exhausted" });
  });
});
