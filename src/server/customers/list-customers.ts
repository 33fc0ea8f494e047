import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, customerSummaries, plans, subscriptionStatuses, type CustomerKind } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";

export const customerSortKeys = ["name", "created", "plan", "status", "balance", "spend", "anomalies"] as const;
export type CustomerSortKey = (typeof customerSortKeys)[number];

/** A subscription status, or `none` for a customer without a subscription. */
export const customerListStatuses = [...subscriptionStatuses, "none"] as const;
export type CustomerListStatus = (typeof customerListStatuses)[number];

export type ListCustomersInput = {
  /** Matches name, email or external id, case-insensitively, anywhere in the text. */
  search?: string;
  kind?: CustomerKind;
  status?: CustomerListStatus;
  /** A plan key. */
  plan?: string;
  /** Default `name` ascending. */
  sort?: CustomerSortKey;
  direction?: KeysetDirection;
  /** Opaque cursor from the previous page (`nextCursor`), valid for the same sort and direction. */
  cursor?: string;
  limit: number;
};

export type ListedCustomer = {
  id: string;
  externalId: string;
  name: string;
  email: string;
  kind: CustomerKind;
  currency: string;
  createdAt: Date;
  planName: string;
  planKey: string;
  status: CustomerListStatus;
  balanceDueMicros: bigint;
  monthSpendMicros: bigint;
  openAnomalies: number;
};

export type ListCustomersResult = { items: ListedCustomer[]; nextCursor: string | null };

export const customersPageMax = 100;
/** The export reads in larger pages than the console shows. */
const exportPageRowsMax = 1000;

const sorts: Record<CustomerSortKey, KeysetSort> = {
  name: { expression: sql`${customerSummaries.nameKey}`, type: "text" },
  created: { expression: sql`${customerSummaries.customerCreatedAt}`, type: "timestamptz" },
  plan: { expression: sql`${customerSummaries.planName}`, type: "text" },
  status: { expression: sql`${customerSummaries.status}`, type: "text" },
  balance: { expression: sql`${customerSummaries.balanceDueMicros}`, type: "bigint" },
  spend: { expression: sql`${customerSummaries.monthSpendMicros}`, type: "bigint" },
  anomalies: { expression: sql`${customerSummaries.openAnomalies}`, type: "integer" },
};

/** The filters that lead an index `(filter, sort, id)`, and the sorts each has one for (schema/customer-summaries.ts). */
const fixedFilters = ["status", "plan", "kind"] as const;
const compositeSorts: Record<(typeof fixedFilters)[number], readonly CustomerSortKey[]> = {
  status: ["name", "balance", "spend", "plan"],
  plan: ["name", "balance", "spend", "plan"],
  kind: ["plan", "name"],
};
const filterColumns = { status: sql`${customerSummaries.status}`, plan: sql`${customerSummaries.planKey}`, kind: sql`${customerSummaries.kind}` };

/**
 * A page of customers from the list's read model (customer_summaries), keyset-paged on
 * `(sort column, customer id)`: each sort reads its own index, a filter with an index
 * `(filter, sort, id)` reads that index, so a first or a deep page over a million customers reads about a
 * page of rows. Archived customers are left out.
 */
export async function listCustomers(db: Db, input: ListCustomersInput): Promise<ListCustomersResult> {
  const limit = Math.min(Math.max(1, input.limit), exportPageRowsMax);
  const sortKey = input.sort ?? "name";
  const direction = input.direction ?? "asc";
  // A filter with an index `(filter, sort, id)` for this sort is applied by keysetPlan, so that index is read.
  const fixedBy = fixedFilters.find((filter) => input[filter] !== undefined && compositeSorts[filter].includes(sortKey));
  const fixed = fixedBy ? { column: filterColumns[fixedBy], value: input[fixedBy]! } : undefined;
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${customerSummaries.customerId}`, idType: "uuid", cursor: input.cursor, fixed });
  const filters: SQL[] = [eq(customerSummaries.archived, false)];
  const search = input.search?.trim();
  if (search) {
    // The expression of the trigram GIN index customers_search_trgm_idx (global search's), so this reads the index.
    filters.push(sql`lower(${customers.name} || ' ' || ${customers.email} || ' ' || ${customers.externalId}) like ${`%${escapeLike(search.toLowerCase())}%`}`);
  }
  if (input.kind && fixedBy !== "kind") filters.push(eq(customerSummaries.kind, input.kind));
  if (input.status && fixedBy !== "status") filters.push(eq(customerSummaries.status, input.status));
  if (input.plan && fixedBy !== "plan") filters.push(eq(customerSummaries.planKey, input.plan));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      id: customers.id,
      externalId: customers.externalId,
      name: customers.name,
      email: customers.email,
      kind: customers.kind,
      currency: customerSummaries.currency,
      createdAt: customers.createdAt,
      planName: customerSummaries.planName,
      planKey: customerSummaries.planKey,
      status: customerSummaries.status,
      balanceDueMicros: customerSummaries.balanceDueMicros,
      monthSpendMicros: customerSummaries.monthSpendMicros,
      openAnomalies: customerSummaries.openAnomalies,
      // The sort value as PostgreSQL prints it, so a timestamp's microseconds survive in the cursor.
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(customerSummaries)
    .innerJoin(customers, eq(customers.id, customerSummaries.customerId))
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return {
    items: page.items.map(({ cursorValue: _cursorValue, ...row }) => ({ ...row, status: row.status as CustomerListStatus })),
    nextCursor: page.nextCursor,
  };
}

/** The plans a customer list can be filtered by (key and name), for the filter's choices. */
export async function listCustomerPlanOptions(db: Db): Promise<{ key: string; name: string }[]> {
  return db.select({ key: plans.key, name: plans.name }).from(plans).orderBy(plans.name, plans.key).limit(200);
}
