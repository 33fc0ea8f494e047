import { and, count, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  allowanceGrants,
  creditGrants,
  customerDiscounts,
  customers,
  features,
  products,
  promotionCodes,
  promotionRedemptions,
  promotions,
  type Customer,
  type Promotion,
  type PromotionEffect,
  type PromotionRedemption,
} from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { addIntervals } from "@/server/customers/billing-period";
import { getLiveSubscription, type SubscriptionView } from "@/server/customers/get-subscription";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { DomainError } from "@/server/errors";
import { issueGrant } from "@/server/grants/issue-grant";
import { promotionCodeSchema } from "./promotion-schemas";

export const redemptionRefusalCodes = ["unknown_code", "expired", "not_active", "not_eligible", "limit_reached", "already_redeemed"] as const;
export type RedemptionRefusalCode = (typeof redemptionRefusalCodes)[number];

export type RedeemPromotionCodeInput = {
  customerId?: string;
  customerExternalId?: string;
  code: string;
  /** Optional: the same key returns the first redemption (for callers that retry). */
  idempotencyKey?: string;
  actor: Actor;
  at: Date;
};

/** What the redemption gave, with money and quantities as strings (it crosses JSON as is). */
export type AppliedEffect =
  | { type: "credit"; grantId: string; amountMicros: string; currency: string; expiresAt: string | null }
  | { type: "discount"; discountId: string; productKey: string; percentBasisPoints: number | null; fixedMicros: string | null; currency: string; startsAt: string; endsAt: string }
  | { type: "allowance"; allowanceGrantId: string; featureKey: string; meterKey: string; quantityPerPeriod: string; startsAt: string; endsAt: string };

export type RedeemPromotionCodeResult =
  | { redeemed: true; redemption: PromotionRedemption; effect: AppliedEffect; promotionName: string }
  | { redeemed: false; code: RedemptionRefusalCode; message: string };

const refusalMessages: Record<RedemptionRefusalCode, string> = {
  unknown_code: "No promotion has this code; check the spelling.",
  expired: "This promotion has ended or is outside its dates.",
  not_active: "This promotion is not active right now.",
  not_eligible: "This customer is not eligible for this promotion.",
  limit_reached: "This promotion or code has been fully redeemed.",
  already_redeemed: "This customer has already redeemed this promotion as many times as allowed.",
};

const refuse = (code: RedemptionRefusalCode): RedeemPromotionCodeResult => ({ redeemed: false, code, message: refusalMessages[code] });

/**
 * Redeems a code for a customer. The promotion row is locked first (`for update`), so concurrent
 * redemptions are decided one at a time against the current counts: the total and per-code
 * counters have CHECKs and (promotion, customer, sequence) is unique, so even a bug here could not
 * over-redeem. The effect (a credit grant, a discount or an allowance) is applied in the same
 * transaction, audited, and the customer's entitlements version moves.
 */
export async function redeemPromotionCode(db: Db, input: RedeemPromotionCodeInput): Promise<RedeemPromotionCodeResult> {
  const parsedCode = promotionCodeSchema.safeParse(input.code);
  if (input.idempotencyKey !== undefined && (input.idempotencyKey.length < 1 || input.idempotencyKey.length > 180)) {
    throw new DomainError("invalid", "idempotency_key_invalid", "An idempotency key has 1–180 characters.");
  }
  return db.transaction(async (tx) => {
    const customer = await findCustomer(tx, input);
    if (!parsedCode.success) return refuse("unknown_code");
    const [code] = await tx.select().from(promotionCodes).where(eq(promotionCodes.code, parsedCode.data));
    if (!code) return refuse("unknown_code");
    const [promotion] = await tx.select().from(promotions).where(eq(promotions.id, code.promotionId)).for("update");
    if (!promotion) throw new Error("promotions: code without promotion");
    if (input.idempotencyKey) {
      const previous = await previousRedemption(tx, input.idempotencyKey, customer.id, promotion);
      if (previous) return previous;
    }
    const status = statusRefusal(promotion, input.at);
    if (status) return refuse(status);
    const [{ value: customerCount } = { value: 0 }] = await tx
      .select({ value: count() })
      .from(promotionRedemptions)
      .where(and(eq(promotionRedemptions.promotionId, promotion.id), eq(promotionRedemptions.customerId, customer.id)));
    if (customerCount >= promotion.maxRedemptionsPerCustomer) return refuse("already_redeemed");
    const subscription = await getLiveSubscription(tx, customer.id, input.at);
    if (!(await isEligible(tx, promotion, customer, subscription, input.at))) return refuse("not_eligible");
    if (promotion.maxRedemptions !== null && promotion.redemptionCount >= promotion.maxRedemptions) return refuse("limit_reached");
    const [lockedCode] = await tx.select().from(promotionCodes).where(eq(promotionCodes.id, code.id)).for("update");
    if (lockedCode!.maxRedemptions !== null && lockedCode!.redemptionCount >= lockedCode!.maxRedemptions) return refuse("limit_reached");

    const [redemption] = await tx
      .insert(promotionRedemptions)
      .values({
        promotionId: promotion.id,
        codeId: code.id,
        customerId: customer.id,
        customerSequence: customerCount + 1,
        idempotencyKey: input.idempotencyKey ?? null,
        effect: promotion.effect,
        redeemedAt: input.at,
        redeemedBy: input.actor.label,
      })
      .returning();
    await tx.update(promotions).set({ redemptionCount: promotion.redemptionCount + 1 }).where(eq(promotions.id, promotion.id));
    await tx.update(promotionCodes).set({ redemptionCount: lockedCode!.redemptionCount + 1 }).where(eq(promotionCodes.id, code.id));
    const { effect, redemption: applied } = await applyEffect(tx, input, customer, redemption!, subscription);
    await recordAudit(tx, {
      actor: input.actor,
      action: "promotion.redeem",
      objectType: "customer",
      objectId: customer.id,
      reason: `Code ${code.code} (${promotion.name})`,
      after: { redemption: applied, effect },
      metadata: { promotionId: promotion.id, redemptionId: applied.id },
    });
    await markEntitlementsChanged(tx, customer.id);
    return { redeemed: true, redemption: applied, effect, promotionName: promotion.name };
  });
}

async function findCustomer(db: Db, input: RedeemPromotionCodeInput): Promise<Customer> {
  const condition = input.customerId ? eq(customers.id, input.customerId) : input.customerExternalId ? eq(customers.externalId, input.customerExternalId) : undefined;
  if (!condition || (input.customerId && !/^[0-9a-f-]{36}$/i.test(input.customerId))) {
    throw new DomainError("invalid", "customer_required", "Name the customer by id or external id.");
  }
  const [customer] = await db.select().from(customers).where(condition);
  if (!customer) throw new DomainError("not_found", "customer_not_found", "No such customer.");
  return customer;
}

function statusRefusal(promotion: Promotion, at: Date): RedemptionRefusalCode | null {
  if (promotion.status === "ended") return "expired";
  if (promotion.status !== "active") return "not_active";
  if (at.getTime() < promotion.startsAt.getTime() || (promotion.endsAt && at.getTime() >= promotion.endsAt.getTime())) return "expired";
  return null;
}

/**
 * Every condition given must hold. "New customer" means created at most N days before the
 * redemption (by `customers.created_at`; invoices do not exist yet to say "no paid invoice").
 */
async function isEligible(db: Db, promotion: Promotion, customer: Customer, subscription: SubscriptionView | undefined, at: Date): Promise<boolean> {
  const { newCustomerWithinDays, planKeys, productKeys } = promotion.eligibility;
  if (newCustomerWithinDays !== null && at.getTime() - customer.createdAt.getTime() > newCustomerWithinDays * 86_400_000) return false;
  if (planKeys.length > 0 && (!subscription || !planKeys.includes(subscription.plan.key))) return false;
  if (productKeys.length > 0) {
    if (!subscription) return false;
    const featureKeys = subscription.planVersion.entitlements.map((entitlement) => entitlement.featureKey);
    if (featureKeys.length === 0) return false;
    const rows = await db
      .select({ productKey: products.key })
      .from(features)
      .innerJoin(products, eq(products.id, features.productId))
      .where(and(inArray(features.key, featureKeys.slice(0, 500)), inArray(products.key, productKeys)))
      .limit(1);
    if (rows.length === 0) return false;
  }
  return true;
}

/** A redemption the same key already made; a key reused for another customer or promotion is a conflict. */
async function previousRedemption(db: Db, idempotencyKey: string, customerId: string, promotion: Promotion): Promise<RedeemPromotionCodeResult | null> {
  const [previous] = await db.select().from(promotionRedemptions).where(eq(promotionRedemptions.idempotencyKey, idempotencyKey));
  if (!previous) return null;
  if (previous.customerId !== customerId || previous.promotionId !== promotion.id) {
    throw new DomainError("conflict", "idempotency_key_reused", "This idempotency key was used for another redemption; use a new key.");
  }
  return { redeemed: true, redemption: previous, effect: await describeAppliedEffect(db, previous), promotionName: promotion.name };
}

/** The period window an N-period effect covers: from the start of the customer's current billing period (or now, without a subscription). */
function periodWindow(subscription: SubscriptionView | undefined, at: Date, periods: number): { startsAt: Date; endsAt: Date } {
  if (!subscription) return { startsAt: at, endsAt: addIntervals(at, "month", periods) };
  const { currentPeriod, subscription: row, planVersion } = subscription;
  return { startsAt: currentPeriod.start, endsAt: addIntervals(row.billingAnchor, planVersion.billingInterval, currentPeriod.index + periods) };
}

async function applyEffect(
  db: Db,
  input: RedeemPromotionCodeInput,
  customer: Customer,
  redemption: PromotionRedemption,
  subscription: SubscriptionView | undefined,
): Promise<{ effect: AppliedEffect; redemption: PromotionRedemption }> {
  const effect: PromotionEffect = redemption.effect;
  if (effect.type === "credit") {
    const expiresAt = effect.expiryDays === null ? null : new Date(input.at.getTime() + effect.expiryDays * 86_400_000);
    const { grant } = await issueGrant(db, input.actor, { now: () => input.at }, {
      customerId: customer.id,
      amountMicros: BigInt(effect.amountMicros),
      currency: effect.currency,
      category: "promotional",
      expiresAt,
      source: "promotion",
      sourceReference: redemption.id,
      reason: "Promotion code redeemed",
      idempotencyKey: `promotion_redemption:${redemption.id}`,
    });
    const [updated] = await db.update(promotionRedemptions).set({ grantId: grant.id }).where(eq(promotionRedemptions.id, redemption.id)).returning();
    return { effect: { type: "credit", grantId: grant.id, amountMicros: effect.amountMicros, currency: grant.currency, expiresAt: expiresAt?.toISOString() ?? null }, redemption: updated! };
  }
  const window = periodWindow(subscription, input.at, effect.periods);
  if (effect.type === "discount") {
    const [discount] = await db
      .insert(customerDiscounts)
      .values({
        customerId: customer.id,
        productKey: effect.productKey,
        percentBasisPoints: effect.percentBasisPoints,
        fixedMicros: effect.fixedMicros === null ? null : BigInt(effect.fixedMicros),
        currency: effect.currency,
        periodsTotal: effect.periods,
        periodsRemaining: effect.periods,
        ...window,
        sourceRedemptionId: redemption.id,
      })
      .returning();
    return { effect: discountEffect(discount!), redemption };
  }
  const [allowance] = await db
    .insert(allowanceGrants)
    .values({ customerId: customer.id, featureKey: effect.featureKey, meterKey: effect.meterKey, quantityPerPeriod: effect.quantityPerPeriod, ...window, sourceRedemptionId: redemption.id })
    .returning();
  return { effect: allowanceEffect(allowance!), redemption };
}

function discountEffect(discount: typeof customerDiscounts.$inferSelect): AppliedEffect {
  return {
    type: "discount",
    discountId: discount.id,
    productKey: discount.productKey,
    percentBasisPoints: discount.percentBasisPoints,
    fixedMicros: discount.fixedMicros?.toString() ?? null,
    currency: discount.currency,
    startsAt: discount.startsAt.toISOString(),
    endsAt: discount.endsAt.toISOString(),
  };
}

function allowanceEffect(allowance: typeof allowanceGrants.$inferSelect): AppliedEffect {
  return {
    type: "allowance",
    allowanceGrantId: allowance.id,
    featureKey: allowance.featureKey,
    meterKey: allowance.meterKey,
    quantityPerPeriod: allowance.quantityPerPeriod,
    startsAt: allowance.startsAt.toISOString(),
    endsAt: allowance.endsAt.toISOString(),
  };
}

/** Re-reads what a past redemption gave (for idempotent retries). */
async function describeAppliedEffect(db: Db, redemption: PromotionRedemption): Promise<AppliedEffect> {
  const effect = redemption.effect;
  if (effect.type === "credit") {
    const [grant] = await db.select().from(creditGrants).where(eq(creditGrants.id, redemption.grantId!));
    return { type: "credit", grantId: grant!.id, amountMicros: grant!.amountMicros.toString(), currency: grant!.currency, expiresAt: grant!.expiresAt?.toISOString() ?? null };
  }
  if (effect.type === "discount") {
    const [discount] = await db.select().from(customerDiscounts).where(eq(customerDiscounts.sourceRedemptionId, redemption.id));
    return discountEffect(discount!);
  }
  const [allowance] = await db.select().from(allowanceGrants).where(eq(allowanceGrants.sourceRedemptionId, redemption.id));
  return allowanceEffect(allowance!);
}
