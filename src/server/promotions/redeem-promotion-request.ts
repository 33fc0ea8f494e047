import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError, type DomainErrorKind } from "@/server/errors";
import { redeemPromotionCode, type RedemptionRefusalCode, type RedeemPromotionCodeResult } from "./redeem-promotion-code";

const redeemBodySchema = z.object({
  /** The customer's external id (the product's own id for them). */
  customer: z.string().trim().min(1).max(200),
  code: z.string().max(100),
  idempotencyKey: z.string().min(1).max(180).optional(),
});

/** unknown_code → 404; limits → 409; the promotion's state or the customer's eligibility → 422. */
export const refusalStatus: Record<RedemptionRefusalCode, number> = {
  unknown_code: 404,
  limit_reached: 409,
  already_redeemed: 409,
  expired: 422,
  not_active: 422,
  not_eligible: 422,
};

export type RedeemResponse = { status: number; body: unknown };

/** The HTTP use case behind `POST /api/v1/promotions/redeem`: parse, redeem, map the outcome to a status. */
export async function redeemPromotionRequest(db: Db, actor: Actor, clock: Clock, body: unknown): Promise<RedeemResponse> {
  const parsed = redeemBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("invalid" satisfies DomainErrorKind, "invalid_body", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}. Send {"customer": "<external id>", "code": "<code>"}.`);
  }
  const result: RedeemPromotionCodeResult = await redeemPromotionCode(db, {
    customerExternalId: parsed.data.customer,
    code: parsed.data.code,
    idempotencyKey: parsed.data.idempotencyKey,
    actor,
    at: clock.now(),
  });
  if (!result.redeemed) return { status: refusalStatus[result.code], body: { error: { code: result.code, message: result.message } } };
  return {
    status: 200,
    body: {
      redeemed: true,
      promotion: result.promotionName,
      redemption: { id: result.redemption.id, customer: parsed.data.customer, redeemedAt: result.redemption.redeemedAt.toISOString() },
      effect: result.effect,
    },
  };
}
