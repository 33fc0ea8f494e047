import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditGrants, type grantCategories, type grantSources } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { grantState, type CustomerGrantView } from "./list-customer-grants";
import { readGrantBalances } from "./read-grant-balances";

export const customerGrantSortKeys = ["granted", "effective"] as const;
export type CustomerGrantSortKey = (typeof customerGrantSortKeys)[number];

export type ListCustomerGrantsViewInput = {
  customerId: string;
  category?: (typeof grantCategories)[number];
  source?: (typeof grantSources)[number];
  /** Default `granted` descending (newest first). */
  sort?: CustomerGrantSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<CustomerGrantSortKey, KeysetSort> = {
  granted: { expression: sql`${creditGrants.createdAt}`, type: "timestamptz" },
  effective: { expression: sql`${creditGrants.effectiveAt}`, type: "timestamptz" },
};

/**
 * Every credit grant of one customer (the customer page shows the newest 200), by grant time or
 * start, filtered by category and source, keyset-paged on `(customer, sort, id)`; each row's
 * remaining balance is read from the ledger for that page's grants only.
 */
export async function listCustomerGrantsView(db: Db, input: ListCustomerGrantsViewInput, at: Date): Promise<{ items: CustomerGrantView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "granted";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${creditGrants.id}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: { column: sql`${creditGrants.customerId}`, value: input.customerId },
  });
  const filters: SQL[] = [];
  if (input.category) filters.push(eq(creditGrants.category, input.category));
  if (input.source) filters.push(eq(creditGrants.source, input.source));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ grant: creditGrants, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(creditGrants)
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.grant.id }) });
  const balances = await readGrantBalances(db, page.items.map((row) => row.grant));
  return {
    items: page.items.map(({ grant }) => {
      const remainingMicros = balances.get(grant.id) ?? 0n;
      return { ...grant, remainingMicros, state: grantState(grant, remainingMicros, at) };
    }),
    nextCursor: page.nextCursor,
  };
}
