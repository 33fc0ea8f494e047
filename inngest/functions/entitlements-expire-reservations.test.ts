import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlementReservations } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createExpireReservationsFunction } from "./entitlements-expire-reservations";

let database: TestDatabase;
const clock = fixedClock("2026-04-20T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("entitlements-expire-reservations Inngest function", () => {
  it("marks holds past their time-to-live as expired, and leaves live ones", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([
      { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "10", overage: "block" },
    ]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id });
    const reserve = (ttlSeconds: number) =>
      checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests, reserve: true, ttlSeconds }, { clock });
    const short = await reserve(10);
    const long = await reserve(3_600);
    clock.advanceMs(60_000);
    const engine = new InngestTestEngine({ function: createExpireReservationsFunction(async () => ({ db: database.db, clock })) });
    const { result, error } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, expired: 1 });
    const status = async (id: string | undefined) =>
      (await database.db.select().from(entitlementReservations).where(eq(entitlementReservations.id, id!)))[0]?.status;
    expect(await status(short.reservationId)).toBe("expired");
    expect(await status(long.reservationId)).toBe("pending");
  });
});
