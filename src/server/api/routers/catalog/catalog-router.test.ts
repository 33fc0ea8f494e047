import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createCallerFactory } from "../../trpc";
import { catalogRouter } from "./index";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

const callerAs = (role: Role) =>
  createCallerFactory(catalogRouter)({
    db: database.db,
    clock: fixedClock("2026-03-01T00:00:00Z"),
    user: { id: `user_${role}`, email: `${role}@tally.dev`, name: role, role },
  });

describe("catalog router", () => {
  it("lets product publish a version, refuses support, and carries the domain code of a refusal", async () => {
    const product = callerAs("product");
    await product.meter.create({ key: "calls", name: "Calls", eventType: "api.call", aggregation: "count" });
    const plan = await product.plan.create({ key: "starter", name: "Starter" });
    const draft = await product.planVersion.create({
      planId: plan.id,
      terms: {
        currency: "usd",
        billingInterval: "month",
        baseFeePerSeatMicros: "5000000",
        trialDays: 0,
        entitlements: [],
        usagePrices: [{ meterKey: "calls", price: { model: "per_unit", unitPrice: "0.0001" } }],
      },
    });
    await expect(callerAs("support").planVersion.publish({ planVersionId: draft.id, reason: "launch" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const published = await product.planVersion.publish({ planVersionId: draft.id, reason: "launch" });
    expect(published.status).toBe("published");

    const again = await product.planVersion.publish({ planVersionId: draft.id, reason: "launch" }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(TRPCError);
    const cause = (again as TRPCError).cause;
    expect([(again as TRPCError).code, isDomainError(cause) ? cause.code : null]).toEqual(["CONFLICT", "plan_version_not_draft"]);

    const listed = await callerAs("support").plan.list({});
    expect(listed.plans.map((entry) => [entry.key, entry.currentVersionId])).toEqual([["starter", published.id]]);
  });
});
