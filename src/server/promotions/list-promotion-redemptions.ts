import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, promotionCodes, promotionRedemptions, type PromotionEffect } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";

export const redemptionSortKeys = ["redeemed", "by"] as const;
export type RedemptionSortKey = (typeof redemptionSortKeys)[number];

export const redemptionCodeKinds = ["shared", "unique"] as const;

export type ListPromotionRedemptionsInput = {
  promotionId: string;
  /** Part of the customer's name or external id, or the start of the code; any case. */
  search?: string;
  /** Redeemed with a shared code or a single-use one. */
  codeKind?: (typeof redemptionCodeKinds)[number];
  /** Default `redeemed` descending (newest first). */
  sort?: RedemptionSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

export type PromotionRedemptionRow = {
  id: string;
  customerId: string;
  customerName: string;
  customerExternalId: string;
  code: string;
  codeKind: (typeof redemptionCodeKinds)[number];
  effect: PromotionEffect;
  redeemedAt: Date;
  redeemedBy: string;
  grantId: string | null;
};

const rowsMax = 1000;

const sorts: Record<RedemptionSortKey, KeysetSort> = {
  redeemed: { expression: sql`${promotionRedemptions.redeemedAt}`, type: "timestamptz" },
  by: { expression: sql`lower(${promotionRedemptions.redeemedBy})`, type: "text" },
};

/**
 * One promotion's redemptions, by time or by who redeemed them, filtered by the code's kind and a
 * customer or code, keyset-paged on `(promotion, sort, id)` (an index per sort): every redemption
 * is reachable, where the page used to show the latest 200.
 */
export async function listPromotionRedemptions(db: Db, input: ListPromotionRedemptionsInput): Promise<{ items: PromotionRedemptionRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "redeemed";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${promotionRedemptions.id}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: { column: sql`${promotionRedemptions.promotionId}`, value: input.promotionId },
  });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) {
    const part = `%${escapeLike(search)}%`;
    filters.push(sql`(${customers.name} ilike ${part} or ${customers.externalId} ilike ${part} or ${promotionCodes.code} ilike ${`${escapeLike(search)}%`})`);
  }
  if (input.codeKind) filters.push(eq(promotionCodes.kind, input.codeKind));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      id: promotionRedemptions.id,
      customerId: promotionRedemptions.customerId,
      customerName: customers.name,
      customerExternalId: customers.externalId,
      code: promotionCodes.code,
      codeKind: promotionCodes.kind,
      effect: promotionRedemptions.effect,
      redeemedAt: promotionRedemptions.redeemedAt,
      redeemedBy: promotionRedemptions.redeemedBy,
      grantId: promotionRedemptions.grantId,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(promotionRedemptions)
    .innerJoin(customers, eq(customers.id, promotionRedemptions.customerId))
    .innerJoin(promotionCodes, eq(promotionCodes.id, promotionRedemptions.codeId))
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}
