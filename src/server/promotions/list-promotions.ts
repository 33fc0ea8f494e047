import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { promotions, type Promotion } from "@/db/schema";
import { promotionLimits } from "./promotion-schemas";
import { getPromotionStats, type PromotionStats } from "./promotion-stats";

export type PromotionSummary = Promotion & { stats: PromotionStats };

/** The newest promotions (at most 200) with their redemption and credit statistics. */
export async function listPromotions(db: Db): Promise<PromotionSummary[]> {
  const rows = await db.select().from(promotions).orderBy(desc(promotions.createdAt), desc(promotions.id)).limit(promotionLimits.listMax);
  const stats = await getPromotionStats(db, rows.map((row) => row.id));
  return rows.map((row) => ({ ...row, stats: stats.get(row.id)! }));
}
