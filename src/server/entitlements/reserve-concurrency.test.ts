import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlementReservations } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { checkEntitlement } from "./check-entitlement";
import { createEntitlementCatalog, createSubscribedCustomer } from "./test-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
});
afterAll(async () => {
  await database.drop();
});

describe("concurrent reservations", () => {
  it("50 clients reserving against a hard limit admit exactly the limit", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([
      { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "37", overage: "block" },
    ]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id });
    const clock = fixedClock("2026-04-20T12:00:00Z");
    // Each of 50 clients asks 3 times for one unit, all at once, over separate pooled connections.
    const answers = await Promise.all(
      Array.from({ length: 150 }, () =>
        checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests, reserve: true }, { clock }),
      ),
    );
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(37);
    expect(answers.filter((answer) => !answer.allowed).every((answer) => answer.reason === "allowance_exhausted")).toBe(true);
    const held = await database.db
      .select()
      .from(entitlementReservations)
      .where(and(eq(entitlementReservations.customerId, customer.id), eq(entitlementReservations.status, "pending")));
    expect(held).toHaveLength(37);
  });

  it("concurrent reservations against a spend limit never pass it", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish(
      [{ featureKey: catalog.featureKeys.tokens, kind: "metered", meterKey: catalog.meterKeys.tokens, allowancePerPeriod: null, overage: "bill" }],
      [{ meterKey: catalog.meterKeys.tokens, price: { model: "per_unit", unitPrice: "0.01", includedQuantity: "0" } }],
    );
    // $1 limit at $0.01 per token, 7 tokens per reservation: 14 fit (98 cents).
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id, spendLimitMicros: 1_000_000n });
    const clock = fixedClock("2026-04-20T12:00:00Z");
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.tokens, quantity: "7", reserve: true }, { clock }),
      ),
    );
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(14);
  });
});
