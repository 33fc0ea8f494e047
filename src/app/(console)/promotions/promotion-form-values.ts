import type { PromotionEffect, PromotionEligibility } from "@/db/schema/promotions";
import { formatMoney } from "@/lib/format";

// Plain values shared by the server pages and the client form (a "use client" module cannot export them to the server).

export type PromotionFormValues = {
  name: string;
  description: string;
  startsOn: string;
  endsOn: string;
  effectType: PromotionEffect["type"];
  creditDollars: string;
  expiryDays: string;
  productKey: string;
  discountKind: "percent" | "fixed";
  percent: string;
  fixedDollars: string;
  featureKey: string;
  meterKey: string;
  quantity: string;
  periods: string;
  maxRedemptions: string;
  maxPerCustomer: string;
  newCustomerWithinDays: string;
  planKeys: string;
  productKeys: string;
  sharedCode: string;
};

export const blankPromotion: PromotionFormValues = {
  name: "",
  description: "",
  startsOn: new Date().toISOString().slice(0, 10),
  endsOn: "",
  effectType: "credit",
  creditDollars: "50",
  expiryDays: "90",
  productKey: "agent",
  discountKind: "percent",
  percent: "20",
  fixedDollars: "",
  featureKey: "agent_tokens",
  meterKey: "llm_tokens",
  quantity: "1000000",
  periods: "3",
  maxRedemptions: "",
  maxPerCustomer: "1",
  newCustomerWithinDays: "",
  planKeys: "",
  productKeys: "",
  sharedCode: "",
};

/** The form's values for an existing promotion (editing). */
export function valuesOf(promotion: { name: string; description: string; startsAt: Date; endsAt: Date | null; effect: PromotionEffect; eligibility: PromotionEligibility; maxRedemptions: number | null; maxRedemptionsPerCustomer: number }): PromotionFormValues {
  const { effect } = promotion;
  return {
    ...blankPromotion,
    name: promotion.name,
    description: promotion.description,
    startsOn: promotion.startsAt.toISOString().slice(0, 10),
    endsOn: promotion.endsAt?.toISOString().slice(0, 10) ?? "",
    effectType: effect.type,
    creditDollars: effect.type === "credit" ? formatMoney(effect.amountMicros, effect.currency, { precise: true }).replace(/^\$/, "") : blankPromotion.creditDollars,
    expiryDays: effect.type === "credit" ? String(effect.expiryDays ?? "") : blankPromotion.expiryDays,
    productKey: effect.type === "discount" ? effect.productKey : blankPromotion.productKey,
    discountKind: effect.type === "discount" && effect.fixedMicros !== null ? "fixed" : "percent",
    percent: effect.type === "discount" && effect.percentBasisPoints !== null ? (effect.percentBasisPoints / 100).toString() : blankPromotion.percent,
    fixedDollars: effect.type === "discount" && effect.fixedMicros !== null ? formatMoney(effect.fixedMicros, effect.currency, { precise: true }).replace(/^\$/, "") : "",
    featureKey: effect.type === "allowance" ? effect.featureKey : blankPromotion.featureKey,
    meterKey: effect.type === "allowance" ? effect.meterKey : blankPromotion.meterKey,
    quantity: effect.type === "allowance" ? effect.quantityPerPeriod : blankPromotion.quantity,
    periods: effect.type === "credit" ? blankPromotion.periods : String(effect.periods),
    maxRedemptions: promotion.maxRedemptions === null ? "" : String(promotion.maxRedemptions),
    maxPerCustomer: String(promotion.maxRedemptionsPerCustomer),
    newCustomerWithinDays: promotion.eligibility.newCustomerWithinDays === null ? "" : String(promotion.eligibility.newCustomerWithinDays),
    planKeys: promotion.eligibility.planKeys.join(", "),
    productKeys: promotion.eligibility.productKeys.join(", "),
  };
}
