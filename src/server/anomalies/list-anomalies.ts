import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { anomalies, customers, users, type Anomaly, type AnomalyKind, type AnomalySeverity, type AnomalyStatus } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type AnomalySort = "impact" | "detected";

export type ListAnomaliesInput = {
  /** One status or several; default: every status. */
  status?: AnomalyStatus | readonly AnomalyStatus[];
  kind?: AnomalyKind | readonly AnomalyKind[];
  severity?: AnomalySeverity | readonly AnomalySeverity[];
  customerId?: string;
  /** A user's id, or "none" for the unassigned. */
  assigneeId?: string | "none";
  /** `impact` (default): most money first, anomalies without an estimate last; `detected`: newest first. */
  sort?: AnomalySort;
  limit?: number;
  /** The id of the last anomaly of the previous page (same filters and sort). */
  after?: string;
};

export type AnomalyListItem = Anomaly & {
  customer: { id: string; externalId: string; name: string } | null;
  assignee: { id: string; name: string; email: string } | null;
};

export type ListAnomaliesResult = { items: AnomalyListItem[]; nextAfter: string | null };

export const anomalyPageMax = 100;

/** The columns of a listed anomaly (with its customer and assignee), shared by the capped list and the paged view. */
export const anomalyRowColumns = {
  anomaly: anomalies,
  customerId: customers.id,
  customerExternalId: customers.externalId,
  customerName: customers.name,
  assigneeId: users.id,
  assigneeName: users.name,
  assigneeEmail: users.email,
};

function many<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/**
 * The queue, a page at a time on the server: keyset paging on (impact desc nulls last, id) — the
 * order of the `anomalies_queue_idx` index — or on (first detected desc, id desc). The cursor is
 * the last item's id; its sort key is read back, so a page boundary survives rows arriving.
 */
export async function listAnomalies(db: Db, input: ListAnomaliesInput = {}): Promise<ListAnomaliesResult> {
  const limit = Math.min(Math.max(Math.trunc(input.limit ?? 25), 1), anomalyPageMax);
  const sort = input.sort ?? "impact";
  const conditions: SQL[] = [];
  const statuses = many(input.status);
  const kinds = many(input.kind);
  const severities = many(input.severity);
  if (statuses && statuses.length > 0) conditions.push(inArray(anomalies.status, [...statuses]));
  if (kinds && kinds.length > 0) conditions.push(inArray(anomalies.kind, [...kinds]));
  if (severities && severities.length > 0) conditions.push(inArray(anomalies.severity, [...severities]));
  if (input.customerId) conditions.push(eq(anomalies.customerId, input.customerId));
  if (input.assigneeId === "none") conditions.push(sql`${anomalies.assigneeId} is null`);
  else if (input.assigneeId) conditions.push(eq(anomalies.assigneeId, input.assigneeId));
  if (input.after) conditions.push(await afterCondition(db, input.after, sort));
  const order = sort === "impact" ? [sql`${anomalies.impactMicros} desc nulls last`, sql`${anomalies.id} asc`] : [sql`${anomalies.firstDetectedAt} desc`, sql`${anomalies.id} desc`];
  const rows = await db
    .select(anomalyRowColumns)
    .from(anomalies)
    .leftJoin(customers, eq(customers.id, anomalies.customerId))
    .leftJoin(users, eq(users.id, anomalies.assigneeId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(...order)
    .limit(limit + 1);
  const page = rows.slice(0, limit).map(
    (row): AnomalyListItem => ({
      ...row.anomaly,
      customer: row.customerId ? { id: row.customerId, externalId: row.customerExternalId!, name: row.customerName! } : null,
      assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName!, email: row.assigneeEmail! } : null,
    }),
  );
  return { items: page, nextAfter: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function afterCondition(db: Db, after: string, sort: AnomalySort): Promise<SQL> {
  const [cursor] = uuidPattern.test(after) ? await db.select({ id: anomalies.id, impactMicros: anomalies.impactMicros, firstDetectedAt: anomalies.firstDetectedAt }).from(anomalies).where(eq(anomalies.id, after)).limit(1) : [];
  if (!cursor) throw new DomainError("invalid", "invalid_cursor", "The cursor must be the id of an anomaly from the previous page.", undefined, { param: "starting_after" });
  if (sort === "detected") {
    return sql`(${anomalies.firstDetectedAt}, ${anomalies.id}) < (${cursor.firstDetectedAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`;
  }
  if (cursor.impactMicros === null) return sql`(${anomalies.impactMicros} is null and ${anomalies.id} > ${cursor.id}::uuid)`;
  const impact = cursor.impactMicros.toString();
  return sql`(${anomalies.impactMicros} is null or ${anomalies.impactMicros} < ${impact}::bigint or (${anomalies.impactMicros} = ${impact}::bigint and ${anomalies.id} > ${cursor.id}::uuid))`;
}

/** Counts by status for one customer (the customer page) or everyone (the queue's tabs): bounded by the few statuses. */
export async function countAnomaliesByStatus(db: Db, input: { customerId?: string } = {}): Promise<Record<AnomalyStatus, number>> {
  const rows = await db
    .select({ status: anomalies.status, count: sql<number>`count(*)::int` })
    .from(anomalies)
    .where(input.customerId ? eq(anomalies.customerId, input.customerId) : undefined)
    .groupBy(anomalies.status);
  const result: Record<AnomalyStatus, number> = { open: 0, acknowledged: 0, resolved: 0, dismissed: 0, auto_resolved: 0 };
  for (const row of rows) result[row.status] = Number(row.count);
  return result;
}
