import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeSyncFailures, type StripeSyncFailureRow } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";

export const syncFailureSortKeys = ["occurred"] as const;
export type SyncFailureSortKey = (typeof syncFailureSortKeys)[number];

export type ListSyncFailuresViewInput = {
  /** The Tally id the write was for, or its start. */
  search?: string;
  /** e.g. `customer.create`. */
  operation?: string;
  /** e.g. `customer`, `invoice`. */
  objectType?: string;
  /** Default `occurred` descending (newest first). */
  sort?: SyncFailureSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<SyncFailureSortKey, KeysetSort> = {
  occurred: { expression: sql`${stripeSyncFailures.occurredAt}`, type: "timestamptz" },
};

/**
 * Every outbound write Stripe refused for good (the page showed the newest 50), by time in both
 * directions, filtered by operation, object type and object id, keyset-paged on `(occurred_at, id)`;
 * an operation filter reads its `(operation, occurred_at, id)` index.
 */
export async function listSyncFailuresView(db: Db, input: ListSyncFailuresViewInput): Promise<{ items: StripeSyncFailureRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "occurred";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const fixed = input.operation ? { column: sql`${stripeSyncFailures.operation}`, value: input.operation } : undefined;
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${stripeSyncFailures.id}`, idType: "uuid", cursor: input.cursor, fixed });
  const filters: SQL[] = [];
  if (input.objectType) filters.push(eq(stripeSyncFailures.objectType, input.objectType));
  const search = input.search?.trim();
  if (search) filters.push(sql`${stripeSyncFailures.objectId} like ${`${escapeLike(search)}%`}`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ failure: stripeSyncFailures, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(stripeSyncFailures)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.failure.id }) });
  return { items: page.items.map((row) => row.failure), nextCursor: page.nextCursor };
}

/** The operations and object types that ever failed, for the filters: skip scans of their indexes, at most 200 each. */
export async function listSyncFailureKinds(db: Db): Promise<{ operations: string[]; objectTypes: string[] }> {
  const distinct = (column: "operation" | "object_type") =>
    executeRows<{ value: string }>(
      db,
      sql`with recursive skip as (
            (select ${sql.raw(column)} as value from stripe_sync_failures order by ${sql.raw(column)} limit 1)
            union all
            select (select ${sql.raw(column)} from stripe_sync_failures where ${sql.raw(column)} > skip.value order by ${sql.raw(column)} limit 1) from skip where skip.value is not null)
          select value from skip where value is not null limit 200`,
    );
  const [operations, objectTypes] = await Promise.all([distinct("operation"), distinct("object_type")]);
  return { operations: operations.map((row) => row.value), objectTypes: objectTypes.map((row) => row.value) };
}
