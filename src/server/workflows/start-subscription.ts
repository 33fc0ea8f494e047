import type Stripe from "stripe";
import type { Db } from "@/db/client";
import type { Subscription } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { getCurrentPlanVersion } from "@/server/catalog/get-current-plan-version";
import type { Clock } from "@/server/clock";
import { createSubscription } from "@/server/customers/create-subscription";
import { DomainError, type DomainErrorKind } from "@/server/errors";
import { redeemPromotionCode, type AppliedEffect, type RedemptionRefusalCode } from "@/server/promotions/redeem-promotion-code";
import { syncSubscriptionToStripe, type StripeSyncOutcome } from "./sync-subscription-to-stripe";

export type StartSubscriptionInput = {
  customerId: string;
  /** The plan's key: its current published version. */
  planKey?: string;
  /** Or one published version by id. */
  planVersionId?: string;
  seats: number;
  trialDays?: number;
  billingAnchor?: Date;
  promotionCode?: string;
  spendLimitMicros?: bigint | null;
  spendWarningThresholdsPercent?: readonly number[];
  reason?: string | null;
};

export type StartSubscriptionResult = { subscription: Subscription; promotion: AppliedEffect | null; stripe: StripeSyncOutcome };

const refusalKinds: Record<RedemptionRefusalCode, DomainErrorKind> = {
  unknown_code: "not_found",
  limit_reached: "conflict",
  already_redeemed: "conflict",
  expired: "precondition",
  not_active: "precondition",
  not_eligible: "precondition",
};

/** How far back a billing anchor may be set (backdating the start, as Stripe's `backdate_start_date`). */
export const billingAnchorBackdateDaysMax = 35;

/**
 * Starts a customer's subscription (plan, seats, trial, billing anchor, spend limit) and redeems a
 * promotion code for it, in one transaction: a refused code creates nothing. Then the customer
 * and the subscription are pushed to Stripe.
 */
export async function startSubscription(db: Db, stripe: Stripe | null, actor: Actor, clock: Clock, input: StartSubscriptionInput): Promise<StartSubscriptionResult> {
  const now = clock.now();
  if (input.billingAnchor) {
    const earliest = now.getTime() - billingAnchorBackdateDaysMax * 86_400_000;
    if (input.billingAnchor.getTime() > now.getTime() + 5 * 60_000 || input.billingAnchor.getTime() < earliest) {
      throw new DomainError("invalid", "invalid_billing_anchor", `The billing anchor is now or up to ${billingAnchorBackdateDaysMax} days back (the periods repeat from it; the first period's fee is billed in full).`, undefined, { param: "billing_anchor" });
    }
  }
  const planVersionId = input.planVersionId ?? (input.planKey ? (await getCurrentPlanVersion(db, input.planKey).catch(planNotFound)).id : undefined);
  if (!planVersionId) throw new DomainError("invalid", "parameter_missing", "Name the plan (`plan`, its key) or one of its versions (`plan_version`).", undefined, { param: "plan" });
  const outcome = await db.transaction(async (tx) => {
    const subscription = await createSubscription(tx, actor, clock, {
      customerId: input.customerId,
      planVersionId,
      seats: input.seats,
      billingAnchor: input.billingAnchor,
      trialDays: input.trialDays,
      spendLimitMicros: input.spendLimitMicros,
      spendWarningThresholdsPercent: input.spendWarningThresholdsPercent,
      reason: input.reason,
    });
    if (input.promotionCode === undefined) return { subscription, promotion: null };
    const redeemed = await redeemPromotionCode(tx, { customerId: input.customerId, code: input.promotionCode, actor, at: now, idempotencyKey: `subscription:${subscription.id}:promotion` });
    if (!redeemed.redeemed) throw new DomainError(refusalKinds[redeemed.code], `promotion_${redeemed.code}`, `${redeemed.message} Nothing was created.`, undefined, { param: "promotion_code" });
    return { subscription, promotion: redeemed.effect };
  });
  const synced = await syncSubscriptionToStripe(db, stripe, clock, outcome.subscription.id);
  return { ...outcome, stripe: synced };
}

function planNotFound(error: unknown): never {
  if (error instanceof DomainError && error.code === "plan_not_published") throw new DomainError("not_found", "plan_not_found", `${error.message} Check the plan's key (GET /api/v1/plans).`, undefined, { param: "plan" });
  throw error;
}
