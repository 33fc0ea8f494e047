import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowanceGrants, customerDiscounts, customers, promotionRedemptions, promotions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { burnGrants } from "@/server/grants/burn-grants";
import { expireGrants } from "@/server/grants/expire-grants";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { createPromotion } from "./create-promotion";
import { generatePromotionCodes } from "./generate-promotion-codes";
import { getPromotion } from "./get-promotion";
import type { CreatePromotionInput } from "./promotion-schemas";
import { redeemPromotionCode, type RedeemPromotionCodeResult } from "./redeem-promotion-code";
import { setPromotionStatus } from "./set-promotion-status";
import { updatePromotion } from "./update-promotion";

let database: TestDatabase;
const clock = fixedClock("2026-06-01T00:00:00Z");
const actor = systemActor("promotions-test");
const dayMs = 86_400_000;
let codeSequence = 0;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
  // Promotions name plans, products, features and meters by key; they must exist.
  await seedCatalog(database.db);
});
afterAll(async () => {
  await database.drop();
});

const credit = (dollars: number, expiryDays: number | null = 30) => ({ type: "credit" as const, amountMicros: `${dollars}000000`, currency: "usd", expiryDays });

async function activePromotion(extra: Partial<CreatePromotionInput> = {}) {
  const code = `TEST${++codeSequence}`;
  const promotion = await createPromotion(database.db, actor, clock, {
    name: `Promotion ${code}`,
    startsAt: new Date(clock.now().getTime() - dayMs),
    effect: credit(50),
    sharedCode: code,
    ...extra,
  });
  await setPromotionStatus(database.db, actor, clock, { promotionId: promotion.id, status: "active" });
  return { promotion, code };
}

function redeem(customerId: string, code: string, extra: { idempotencyKey?: string } = {}): Promise<RedeemPromotionCodeResult> {
  return redeemPromotionCode(database.db, { customerId, code, actor, at: clock.now(), ...extra });
}
const refusal = (result: RedeemPromotionCodeResult) => (result.redeemed ? "redeemed" : result.code);

describe("catalog keys", () => {
  it("refuses a plan, product, feature or meter key that does not exist, naming it, and saves nothing", async () => {
    const refused = async (input: Partial<CreatePromotionInput>) => {
      try {
        await createPromotion(database.db, actor, clock, { name: "Typo", startsAt: clock.now(), effect: credit(5), ...input });
        return null;
      } catch (error) {
        return isDomainError(error) ? { code: error.code, message: error.message, param: error.details?.param } : error;
      }
    };
    expect(await refused({ eligibility: { planKeys: ["team", "teem"] } })).toEqual({
      code: "unknown_plan_key",
      message: 'No plan has the key "teem". Choose a plan from the list.',
      param: "eligibility.planKeys",
    });
    expect((await refused({ effect: { type: "discount", productKey: "agnet", percentBasisPoints: 1000, fixedMicros: null, periods: 1 } }) as { code: string }).code).toBe("unknown_product_key");
    expect((await refused({ effect: { type: "allowance", featureKey: "agent_tokens", meterKey: "llm_tokenz", quantityPerPeriod: "1", periods: 1 } }) as { code: string }).code).toBe("unknown_meter_key");
    const saved = await database.db.select().from(promotions).where(eq(promotions.name, "Typo"));
    expect(saved).toEqual([]);
    expect(await refused({ eligibility: { planKeys: ["team"] } })).toBeNull();
  });
});

describe("redeemPromotionCode", () => {
  it("grants a promotional credit once per customer, case-insensitively, and is idempotent by key", async () => {
    const { promotion, code } = await activePromotion();
    const customerId = await createTestCustomer(database.db);
    const first = await redeem(customerId, code.toLowerCase(), { idempotencyKey: "redeem-1" });
    expect(first).toMatchObject({ redeemed: true, effect: { type: "credit", amountMicros: "50000000", currency: "usd" } });
    const [grant] = await listCustomerGrants(database.db, customerId, clock.now());
    expect(grant).toMatchObject({ category: "promotional", source: "promotion", remainingMicros: 50_000_000n });
    expect(grant!.expiresAt!.getTime()).toBe(clock.now().getTime() + 30 * dayMs);
    const retried = await redeem(customerId, code, { idempotencyKey: "redeem-1" });
    expect(retried.redeemed && first.redeemed && retried.redemption.id === first.redemption.id).toBe(true);
    expect(refusal(await redeem(customerId, code))).toBe("already_redeemed");
    expect((await getPromotion(database.db, promotion.id)).stats).toMatchObject({ redemptions: 1, grantedMicros: 50_000_000n });
    await expectLedgerConsistent(database.db);
  });

  it("refuses with a stable code: unknown_code, not_active, expired, not_eligible, limit_reached", async () => {
    const customerId = await createTestCustomer(database.db);
    expect(refusal(await redeem(customerId, "NO-SUCH-CODE"))).toBe("unknown_code");
    expect(refusal(await redeem(customerId, "!"))).toBe("unknown_code");

    const draft = await createPromotion(database.db, actor, clock, { name: "Draft", startsAt: clock.now(), effect: credit(5), sharedCode: "DRAFTCODE" });
    expect(refusal(await redeem(customerId, "DRAFTCODE"))).toBe("not_active");
    await setPromotionStatus(database.db, actor, clock, { promotionId: draft.id, status: "active" });
    await setPromotionStatus(database.db, actor, clock, { promotionId: draft.id, status: "paused" });
    expect(refusal(await redeem(customerId, "DRAFTCODE"))).toBe("not_active");
    await setPromotionStatus(database.db, actor, clock, { promotionId: draft.id, status: "ended" });
    expect(refusal(await redeem(customerId, "DRAFTCODE"))).toBe("expired");

    const { code: future } = await activePromotion({ startsAt: new Date(clock.now().getTime() + dayMs) });
    expect(refusal(await redeem(customerId, future))).toBe("expired");
    const { code: past } = await activePromotion({ startsAt: new Date(clock.now().getTime() - 9 * dayMs), endsAt: new Date(clock.now().getTime() - dayMs) });
    expect(refusal(await redeem(customerId, past))).toBe("expired");

    await database.db.update(customers).set({ createdAt: new Date(clock.now().getTime() - 60 * dayMs) }).where(eq(customers.id, customerId));
    const { code: newOnly } = await activePromotion({ eligibility: { newCustomerWithinDays: 30 } });
    expect(refusal(await redeem(customerId, newOnly))).toBe("not_eligible");
    const { code: teamOnly } = await activePromotion({ eligibility: { planKeys: ["team"] } });
    expect(refusal(await redeem(customerId, teamOnly))).toBe("not_eligible");

    const { promotion: limited, code: limitedCode } = await activePromotion({ maxRedemptions: 1 });
    expect(refusal(await redeem(await createTestCustomer(database.db), limitedCode))).toBe("redeemed");
    expect(refusal(await redeem(customerId, limitedCode))).toBe("limit_reached");
    const { codes } = await generatePromotionCodes(database.db, actor, clock, { promotionId: (await activePromotion()).promotion.id, count: 3, prefix: "ONE" });
    expect(refusal(await redeem(customerId, codes[0]!))).toBe("redeemed");
    expect(refusal(await redeem(await createTestCustomer(database.db), codes[0]!))).toBe("limit_reached");
    expect(await codeOf(updatePromotion(database.db, actor, clock, { promotionId: limited.id, name: "Renamed", startsAt: limited.startsAt, effect: credit(60) }))).toBe("promotion_effect_locked");
    const renamed = await updatePromotion(database.db, actor, clock, { promotionId: limited.id, name: "Renamed", startsAt: limited.startsAt, effect: credit(50), maxRedemptions: 5 });
    expect(renamed).toMatchObject({ name: "Renamed", maxRedemptions: 5, status: "active" });
    await expectLedgerConsistent(database.db);
  });

  it("never exceeds the total limit: 50 concurrent redemptions against a limit of 10 → exactly 10", async () => {
    const { promotion, code } = await activePromotion({ maxRedemptions: 10 });
    const customerIds = await Promise.all(Array.from({ length: 50 }, () => createTestCustomer(database.db)));
    const results = await Promise.all(customerIds.map((customerId) => redeem(customerId, code)));
    expect(results.filter((result) => result.redeemed)).toHaveLength(10);
    expect(results.filter((result) => refusal(result) === "limit_reached")).toHaveLength(40);
    expect(await database.db.$count(promotionRedemptions, eq(promotionRedemptions.promotionId, promotion.id))).toBe(10);
    expect((await getPromotion(database.db, promotion.id)).stats).toMatchObject({ redemptions: 10, grantedMicros: 500_000_000n });
    await expectLedgerConsistent(database.db);
  });

  it("never exceeds the per-customer limit: 20 concurrent redemptions by one customer with a limit of 2 → 2", async () => {
    const { promotion, code } = await activePromotion({ maxRedemptionsPerCustomer: 2 });
    const customerId = await createTestCustomer(database.db);
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(customerId, code)));
    expect(results.filter((result) => result.redeemed)).toHaveLength(2);
    expect(results.filter((result) => refusal(result) === "already_redeemed")).toHaveLength(18);
    expect(await database.db.$count(promotionRedemptions, eq(promotionRedemptions.promotionId, promotion.id))).toBe(2);
    await expectLedgerConsistent(database.db);
  });

  it("stores discounts and allowances for N periods from the current period", async () => {
    const customerId = await createTestCustomer(database.db);
    const { code: discountCode } = await activePromotion({ effect: { type: "discount", productKey: "agent", percentBasisPoints: 2000, fixedMicros: null, periods: 3 } });
    const discount = await redeem(customerId, discountCode);
    expect(discount).toMatchObject({ redeemed: true, effect: { type: "discount", productKey: "agent", percentBasisPoints: 2000 } });
    const [row] = await database.db.select().from(customerDiscounts).where(eq(customerDiscounts.customerId, customerId));
    expect(row).toMatchObject({ periodsTotal: 3, periodsRemaining: 3, startsAt: clock.now(), endsAt: new Date("2026-09-01T00:00:00Z") });
    const { code: allowanceCode } = await activePromotion({ effect: { type: "allowance", featureKey: "agent_tokens", meterKey: "llm_tokens", quantityPerPeriod: "1000000", periods: 2 } });
    await redeem(customerId, allowanceCode);
    const [allowance] = await database.db.select().from(allowanceGrants).where(eq(allowanceGrants.customerId, customerId));
    expect(allowance).toMatchObject({ featureKey: "agent_tokens", meterKey: "llm_tokens", quantityPerPeriod: "1000000", endsAt: new Date("2026-08-01T00:00:00Z") });
  });

  it("reports credits granted, burned and expired from the ledger", async () => {
    const { promotion, code } = await activePromotion({ effect: credit(20, 10) });
    const customerId = await createTestCustomer(database.db);
    await redeem(customerId, code);
    await burnGrants(database.db, { customerId, currency: "usd", amountMicros: 5_000_000n, at: clock.now(), idempotencyKey: `stats-burn-${promotion.id}`, actor }, { clock });
    clock.advanceMs(11 * dayMs);
    await expireGrants(database.db, clock);
    expect((await getPromotion(database.db, promotion.id)).stats).toMatchObject({
      grantedMicros: 20_000_000n,
      burnedMicros: 5_000_000n,
      expiredMicros: 15_000_000n,
      outstandingMicros: 0n,
      costMicros: 5_000_000n,
    });
    await expectLedgerConsistent(database.db);
  });
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  return isDomainError(error) ? error.code : `not a domain error: ${String(error)}`;
}
