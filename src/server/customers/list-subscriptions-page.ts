import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { subscriptions, type SubscriptionStatus } from "@/db/schema";
import { DomainError } from "@/server/errors";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Subscription ids, newest first, keyset-paged on (created_at, id); optionally one customer's or one status. */
export async function listSubscriptionIds(db: Db, input: { limit: number; startingAfter?: string; customerId?: string; status?: SubscriptionStatus }): Promise<{ ids: string[]; hasMore: boolean }> {
  const limit = Math.min(Math.max(1, input.limit), 100);
  const filters: SQL[] = [];
  if (input.customerId) filters.push(eq(subscriptions.customerId, input.customerId));
  if (input.status) filters.push(eq(subscriptions.status, input.status));
  if (input.startingAfter) {
    const [cursor] = uuidPattern.test(input.startingAfter) ? await db.select({ createdAt: subscriptions.createdAt, id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.id, input.startingAfter)) : [];
    if (!cursor) throw new DomainError("invalid", "invalid_cursor", "`starting_after` must be the id of a subscription from the previous page.", undefined, { param: "starting_after" });
    filters.push(or(lt(subscriptions.createdAt, cursor.createdAt), and(eq(subscriptions.createdAt, cursor.createdAt), lt(subscriptions.id, cursor.id)))!);
  }
  const rows = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(limit + 1);
  return { ids: rows.slice(0, limit).map((row) => row.id), hasMore: rows.length > limit };
}

/** One subscription row by id (404 `subscription_not_found`). */
export async function getSubscriptionById(db: Db, id: string) {
  const [row] = uuidPattern.test(id) ? await db.select().from(subscriptions).where(eq(subscriptions.id, id)) : [];
  if (!row) throw new DomainError("not_found", "subscription_not_found", `No subscription has the id "${id.slice(0, 80)}".`);
  return row;
}
