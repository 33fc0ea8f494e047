import { count, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { promotionCodes, promotions, type Promotion, type PromotionCode } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { promotionLimits } from "./promotion-schemas";
import { getPromotionStats, type PromotionStats } from "./promotion-stats";

export type PromotionDetail = {
  promotion: Promotion;
  stats: PromotionStats;
  codeCount: number;
  /** The first codes (newest first, at most 500). */
  codes: PromotionCode[];
};

export async function getPromotion(db: Db, promotionId: string): Promise<PromotionDetail> {
  const [promotion] = await db.select().from(promotions).where(eq(promotions.id, promotionId));
  if (!promotion) throw new DomainError("not_found", "promotion_not_found", "No such promotion.");
  // Its redemptions page on their own (list-promotion-redemptions.ts).
  const [stats, [codeTotal], codes] = await Promise.all([
    getPromotionStats(db, [promotionId]),
    db.select({ value: count() }).from(promotionCodes).where(eq(promotionCodes.promotionId, promotionId)),
    db.select().from(promotionCodes).where(eq(promotionCodes.promotionId, promotionId)).orderBy(desc(promotionCodes.createdAt), promotionCodes.code).limit(promotionLimits.codesPageMax),
  ]);
  return { promotion, stats: stats.get(promotionId)!, codeCount: codeTotal?.value ?? 0, codes };
}
