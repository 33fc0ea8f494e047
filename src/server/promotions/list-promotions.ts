import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { promotions, type Promotion, type PromotionStatus } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { getPromotionStats, type PromotionStats } from "./promotion-stats";
import { escapeLike } from "@/server/lib/like-pattern";

export type PromotionSummary = Promotion & { stats: PromotionStats };

export const promotionSortKeys = ["created", "name", "starts", "redemptions"] as const;
export type PromotionSortKey = (typeof promotionSortKeys)[number];

export type ListPromotionsInput = {
  /** Part of the name, any case. */
  search?: string;
  status?: PromotionStatus;
  /** Default `created` descending (newest first). */
  sort?: PromotionSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<PromotionSortKey, KeysetSort> = {
  created: { expression: sql`${promotions.createdAt}`, type: "timestamptz" },
  name: { expression: sql`lower(${promotions.name})`, type: "text" },
  starts: { expression: sql`${promotions.startsAt}`, type: "timestamptz" },
  redemptions: { expression: sql`${promotions.redemptionCount}`, type: "integer" },
};

/**
 * A page of promotions with their redemption and credit statistics: by creation, name, start or
 * redemptions, filtered by status and a part of the name, keyset-paged on `(sort, id)` (an index
 * per sort), so no promotion is out of reach however many there are.
 */
export async function listPromotions(db: Db, input: ListPromotionsInput): Promise<{ items: PromotionSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? "desc";
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${promotions.id}`, idType: "uuid", cursor: input.cursor });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`${promotions.name} ilike ${`%${escapeLike(search)}%`}`);
  if (input.status) filters.push(eq(promotions.status, input.status));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ promotion: promotions, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(promotions)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.promotion.id }) });
  const stats = await getPromotionStats(db, page.items.map((row) => row.promotion.id));
  return { items: page.items.map((row) => ({ ...row.promotion, stats: stats.get(row.promotion.id)! })), nextCursor: page.nextCursor };
}
