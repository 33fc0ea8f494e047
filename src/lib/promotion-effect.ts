import type { PromotionEffect } from "@/db/schema/promotions";
import { formatMoney } from "@/lib/format";

/** One line for people: "$50.00 credit, expires after 90 days". */
export function describeEffect(effect: PromotionEffect): string {
  if (effect.type === "credit") {
    return `${formatMoney(effect.amountMicros, effect.currency)} credit${effect.expiryDays === null ? "" : `, expires after ${effect.expiryDays} days`}`;
  }
  const periods = `${effect.periods} billing period${effect.periods === 1 ? "" : "s"}`;
  if (effect.type === "discount") {
    const amount = effect.percentBasisPoints !== null ? `${effect.percentBasisPoints / 100}%` : formatMoney(effect.fixedMicros ?? "0", effect.currency);
    return `${amount} off ${effect.productKey} for ${periods}`;
  }
  return `+${effect.quantityPerPeriod} ${effect.meterKey} (${effect.featureKey}) per period for ${periods}`;
}
