import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, apiRequestLog } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";
import { apiRequestColumns, type ApiRequestView } from "./list-api-requests";

export const apiRequestSortKeys = ["time", "duration"] as const;
export type ApiRequestSortKey = (typeof apiRequestSortKeys)[number];

/** The answer's class: `2xx` succeeded (and 1xx/3xx, which the API does not send), `4xx` refused, `5xx` failed. */
export const apiRequestStatusClasses = ["2xx", "4xx", "5xx"] as const;
export type ApiRequestStatusClass = (typeof apiRequestStatusClasses)[number];

export type ApiRequestViewRow = ApiRequestView & { id: string };

export type ListApiRequestsViewInput = {
  customerId: string;
  /** A request id (`req_…`) or its start, or part of the path. */
  search?: string;
  statusClass?: ApiRequestStatusClass;
  method?: string;
  operationId?: string;
  apiKeyId?: string;
  /** Default `time` descending (newest first). */
  sort?: ApiRequestSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;
const optionsMax = 200;

const sorts: Record<ApiRequestSortKey, KeysetSort> = {
  time: { expression: sql`${apiRequestLog.createdAt}`, type: "timestamptz" },
  duration: { expression: sql`${apiRequestLog.durationMs}`, type: "integer" },
};

const statusRanges: Record<ApiRequestStatusClass, [number, number]> = { "2xx": [100, 399], "4xx": [400, 499], "5xx": [500, 599] };

/**
 * Every API request logged about one customer (kept 30 days; the customer page shows the newest
 * 15), by time or duration, filtered by answer class, method, operation, key and request id or
 * path, keyset-paged on `(customer, sort, id)` over the `(customer_id, created_at)` and
 * `(customer_id, duration_ms, id)` indexes.
 */
export async function listApiRequestsView(db: Db, input: ListApiRequestsViewInput): Promise<{ items: ApiRequestViewRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "time";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${apiRequestLog.id}`,
    idType: "bigint",
    cursor: input.cursor,
    fixed: { column: sql`${apiRequestLog.customerId}`, value: input.customerId },
  });
  const filters: SQL[] = [];
  if (input.statusClass) {
    const [low, high] = statusRanges[input.statusClass];
    filters.push(sql`${apiRequestLog.status} between ${low} and ${high}`);
  }
  if (input.method) filters.push(eq(apiRequestLog.method, input.method));
  if (input.operationId) filters.push(eq(apiRequestLog.operationId, input.operationId));
  if (input.apiKeyId) filters.push(eq(apiRequestLog.apiKeyId, input.apiKeyId));
  const search = input.search?.trim();
  if (search) filters.push(sql`(${apiRequestLog.requestId} like ${`${escapeLike(search)}%`} or ${apiRequestLog.path} ilike ${`%${escapeLike(search)}%`})`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      id: sql<string>`${apiRequestLog.id}::text`,
      ...apiRequestColumns,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(apiRequestLog)
    .leftJoin(apiKeys, eq(apiKeys.id, apiRequestLog.apiKeyId))
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}

/**
 * The API keys, for the key filter (a short table: every key ever made, revoked ones too, since
 * their requests stay in the log). Operations are typed, not listed: finding the ones a customer's
 * requests used would read all of that customer's log.
 */
export async function listApiRequestKeyOptions(db: Db): Promise<{ id: string; name: string; prefix: string }[]> {
  return db.select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix }).from(apiKeys).orderBy(sql`lower(${apiKeys.name})`, apiKeys.id).limit(optionsMax);
}
