import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { auditLog, type ActorType, type AuditEntry } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection } from "@/server/lib/keyset";

export type ListAuditViewInput = {
  action?: string;
  objectType?: string;
  objectId?: string;
  actorType?: ActorType;
  actorId?: string;
  /** Default `desc`: newest first (ids grow with time). */
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

/**
 * The console's audit log: newest (or oldest) first, filtered by action, object, actor type or
 * actor, keyset-paged on the id. Each filter has an `(column, id)` index, so a first page of 10,000,000
 * rows reads about a page whatever the filter.
 */
export async function listAuditView(db: Db, input: ListAuditViewInput): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const direction = input.direction ?? "desc";
  const plan = keysetPlan({ sortKey: "occurred", sort: { expression: sql`${auditLog.id}`, type: "bigint" }, direction, id: sql`${auditLog.id}`, idType: "bigint", cursor: input.cursor });
  const filters: SQL[] = [];
  if (input.action) filters.push(eq(auditLog.action, input.action));
  if (input.objectType) filters.push(eq(auditLog.objectType, input.objectType));
  if (input.objectId) filters.push(eq(auditLog.objectId, input.objectId));
  if (input.actorType) filters.push(eq(auditLog.actorType, input.actorType));
  if (input.actorId) filters.push(eq(auditLog.actorId, input.actorId));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select()
    .from(auditLog)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  return keysetPage(rows, limit, { sortKey: "occurred", direction, key: (row) => ({ value: row.id.toString(), id: row.id.toString() }) });
}

/**
 * The distinct actions and object types, for the filters: a skip scan over their indexes (one
 * index probe per distinct value), never a scan of the log.
 */
export async function listAuditFilterValues(db: Db): Promise<{ actions: string[]; objectTypes: string[] }> {
  const distinct = (column: "action" | "object_type") =>
    executeRows<{ value: string }>(
      db,
      sql`with recursive skip as (
            (select ${sql.raw(column)} as value from audit_log order by ${sql.raw(column)} limit 1)
            union all
            select (select ${sql.raw(column)} from audit_log where ${sql.raw(column)} > skip.value order by ${sql.raw(column)} limit 1) from skip where skip.value is not null)
          select value from skip where value is not null limit 200`,
    );
  const [actions, objectTypes] = [await distinct("action"), await distinct("object_type")];
  return { actions: actions.map((row) => row.value), objectTypes: objectTypes.map((row) => row.value) };
}
