import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { anomalies, anomalyStatuses, customers, users, type AnomalyKind, type AnomalySeverity } from "@/db/schema";
import { getCustomer } from "@/server/customers/get-customer";
import { isDomainError } from "@/server/errors";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { anomalyRowColumns, type AnomalyListItem } from "./list-anomalies";

export const anomalySortKeys = ["impact", "detected"] as const;
export type AnomalySortKey = (typeof anomalySortKeys)[number];

/** `active` (the default): open or acknowledged; `all`: every status; or one status. */
export const anomalyStatusViews = ["active", "all", ...anomalyStatuses] as const;
export type AnomalyStatusView = (typeof anomalyStatusViews)[number];

export type ListAnomaliesViewInput = {
  status?: AnomalyStatusView;
  kind?: AnomalyKind;
  severity?: AnomalySeverity;
  /** A customer's Tally id or external id. */
  customer?: string;
  /** A user's id, or `none` for the unassigned. */
  assigneeId?: string;
  /** Default `impact` descending: most money at stake first, anomalies without an estimate last. */
  sort?: AnomalySortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

/** `unknownCustomer`: the customer filter names no customer (the page says so rather than "no anomalies"). */
export type ListAnomaliesViewResult = { items: AnomalyListItem[]; nextCursor: string | null; unknownCustomer?: true };

const rowsMax = 1000;
/** No external id is longer: a longer filter names no customer, and is not sent to the database. */
const customerTextMax = 256;

// Exactly as indexed (src/db/schema/anomalies.ts): an anomaly without an estimate sorts below any amount.
const sorts: Record<AnomalySortKey, KeysetSort> = {
  impact: { expression: sql`coalesce(${anomalies.impactMicros}, '-9223372036854775808'::bigint)`, type: "bigint" },
  detected: { expression: sql`${anomalies.firstDetectedAt}`, type: "timestamptz" },
};

async function findCustomerId(db: Db, text: string): Promise<string | null> {
  if (text.length > customerTextMax) return null;
  try {
    return (await getCustomer(db, text)).id;
  } catch (error) {
    if (isDomainError(error) && error.kind === "not_found") return null;
    throw error;
  }
}

/**
 * The console's anomaly queue: by money at stake or first detection, both directions, filtered by
 * status, kind, severity, customer and assignee, keyset-paged on `(sort, id)`. The active view reads
 * its partial index, one status its `(status, sort, id)` index, so a page reads only its rows however
 * many anomalies were ever found.
 */
export async function listAnomaliesView(db: Db, input: ListAnomaliesViewInput): Promise<ListAnomaliesViewResult> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const status = input.status ?? "active";
  const sortKey = input.sort ?? "impact";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const customerText = input.customer?.trim();
  const customerId = customerText ? await findCustomerId(db, customerText) : undefined;
  if (customerId === null) return { items: [], nextCursor: null, unknownCustomer: true };
  const single = status !== "active" && status !== "all" ? status : undefined;
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${anomalies.id}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: single ? { column: sql`${anomalies.status}`, value: single } : undefined,
  });
  const filters: SQL[] = [];
  // Literal values, so the planner matches the partial indexes' predicate whatever the plan cache does.
  if (status === "active") filters.push(sql`${anomalies.status} in ('open', 'acknowledged')`);
  if (input.kind) filters.push(eq(anomalies.kind, input.kind));
  if (input.severity) filters.push(eq(anomalies.severity, input.severity));
  if (customerId) filters.push(eq(anomalies.customerId, customerId));
  if (input.assigneeId === "none") filters.push(sql`${anomalies.assigneeId} is null`);
  else if (input.assigneeId) filters.push(eq(anomalies.assigneeId, input.assigneeId));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      ...anomalyRowColumns,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(anomalies)
    .leftJoin(customers, eq(customers.id, anomalies.customerId))
    .leftJoin(users, eq(users.id, anomalies.assigneeId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.anomaly.id }) });
  return {
    items: page.items.map(
      (row): AnomalyListItem => ({
        ...row.anomaly,
        customer: row.customerId ? { id: row.customerId, externalId: row.customerExternalId!, name: row.customerName! } : null,
        assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName!, email: row.assigneeEmail! } : null,
      }),
    ),
    nextCursor: page.nextCursor,
  };
}
