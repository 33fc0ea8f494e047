import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, type AuditEntry } from "@/db/schema";

export type ListAuditEntriesInput = {
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
};

export type ListAuditEntriesResult = { items: AuditEntry[]; nextCursor: string | null };

/** Newest first; the cursor is the last entry's id (ids grow with time). */
export async function listAuditEntries(db: Db, input: ListAuditEntriesInput): Promise<ListAuditEntriesResult> {
  const limit = Math.min(Math.max(1, input.limit), 200);
  const filters: SQL[] = [];
  if (input.actorId) filters.push(eq(auditLog.actorId, input.actorId));
  if (input.action) filters.push(eq(auditLog.action, input.action));
  if (input.objectType) filters.push(eq(auditLog.objectType, input.objectType));
  if (input.objectId) filters.push(eq(auditLog.objectId, input.objectId));
  if (input.from) filters.push(gte(auditLog.occurredAt, input.from));
  if (input.to) filters.push(lt(auditLog.occurredAt, input.to));
  if (input.cursor && /^\d+$/.test(input.cursor)) filters.push(lt(auditLog.id, BigInt(input.cursor)));
  const rows = await db
    .select()
    .from(auditLog)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id.toString() : null };
}

/** Everything recorded about one object, for its timeline. */
export async function listAuditForObject(db: Db, objectType: string, objectId: string, limit = 100) {
  return db
    .select()
    .from(auditLog)
    .where(or(and(eq(auditLog.objectType, objectType), eq(auditLog.objectId, objectId))))
    .orderBy(desc(auditLog.id))
    .limit(Math.min(limit, 500));
}
