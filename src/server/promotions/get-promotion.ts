import { count, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, promotionCodes, promotionRedemptions, promotions, type Promotion, type PromotionCode } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { promotionLimits } from "./promotion-schemas";
import { getPromotionStats, type PromotionStats } from "./promotion-stats";

export type PromotionDetail = {
  promotion: Promotion;
  stats: PromotionStats;
  codeCount: number;
  /** The first codes (newest first, at most 500). */
  codes: PromotionCode[];
  /** The latest redemptions (at most 200). */
  redemptions: Array<{ id: string; customerId: string; customerName: string; code: string; redeemedAt: Date; redeemedBy: string; grantId: string | null }>;
};

export async function getPromotion(db: Db, promotionId: string): Promise<PromotionDetail> {
  const [promotion] = await db.select().from(promotions).where(eq(promotions.id, promotionId));
  if (!promotion) throw new DomainError("not_found", "promotion_not_found", "No such promotion.");
  const [stats, [codeTotal], codes, redemptions] = await Promise.all([
    getPromotionStats(db, [promotionId]),
    db.select({ value: count() }).from(promotionCodes).where(eq(promotionCodes.promotionId, promotionId)),
    db.select().from(promotionCodes).where(eq(promotionCodes.promotionId, promotionId)).orderBy(desc(promotionCodes.createdAt), promotionCodes.code).limit(promotionLimits.codesPageMax),
    db
      .select({
        id: promotionRedemptions.id,
        customerId: promotionRedemptions.customerId,
        customerName: customers.name,
        code: promotionCodes.code,
        redeemedAt: promotionRedemptions.redeemedAt,
        redeemedBy: promotionRedemptions.redeemedBy,
        grantId: promotionRedemptions.grantId,
      })
      .from(promotionRedemptions)
      .innerJoin(customers, eq(customers.id, promotionRedemptions.customerId))
      .innerJoin(promotionCodes, eq(promotionCodes.id, promotionRedemptions.codeId))
      .where(eq(promotionRedemptions.promotionId, promotionId))
      .orderBy(desc(promotionRedemptions.redeemedAt), desc(promotionRedemptions.id))
      .limit(promotionLimits.redemptionsPageMax),
  ]);
  return { promotion, stats: stats.get(promotionId)!, codeCount: codeTotal?.value ?? 0, codes, redemptions };
}
