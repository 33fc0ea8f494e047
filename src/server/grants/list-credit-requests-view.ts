import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditRequests, customers, type CreditRequestStatus } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { CreditRequestView } from "./list-credit-requests";
import { escapeLike } from "@/server/lib/like-pattern";

export const creditRequestSortKeys = ["requested", "amount"] as const;
export type CreditRequestSortKey = (typeof creditRequestSortKeys)[number];

export type ListCreditRequestsViewInput = {
  /** Default `pending` (the approvers' queue). */
  status?: CreditRequestStatus;
  /** Part of the customer's name or external id, any case. */
  search?: string;
  /** Default `requested`: oldest first for the queue, newest first for decided requests. */
  sort?: CreditRequestSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<CreditRequestSortKey, KeysetSort> = {
  requested: { expression: sql`${creditRequests.createdAt}`, type: "timestamptz" },
  amount: { expression: sql`${creditRequests.amountMicros}`, type: "bigint" },
};

/**
 * Credit requests of one status, keyset-paged on `(status, sort, id)` (one index per sort, the
 * status leading it), so the queue and the history page however long they grow.
 */
export async function listCreditRequestsView(db: Db, input: ListCreditRequestsViewInput): Promise<{ items: CreditRequestView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const status = input.status ?? "pending";
  const sortKey = input.sort ?? "requested";
  const direction = input.direction ?? (status === "pending" && sortKey === "requested" ? "asc" : "desc");
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${creditRequests.id}`, idType: "uuid", cursor: input.cursor, fixed: { column: sql`${creditRequests.status}`, value: status } });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`(${customers.name} ilike ${`%${escapeLike(search)}%`} or ${customers.externalId} ilike ${`%${escapeLike(search)}%`})`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ request: creditRequests, customerName: customers.name, customerExternalId: customers.externalId, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(creditRequests)
    .innerJoin(customers, eq(customers.id, creditRequests.customerId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.request.id }) });
  return { items: page.items.map((row) => ({ ...row.request, customerName: row.customerName, customerExternalId: row.customerExternalId })), nextCursor: page.nextCursor };
}
