import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, apiRequestLog } from "@/db/schema";

export type ApiRequestView = {
  requestId: string;
  method: string;
  path: string;
  operationId: string | null;
  status: number;
  errorCode: string | null;
  keyName: string | null;
  keyPrefix: string | null;
  idempotencyKey: string | null;
  replayed: boolean;
  durationMs: number;
  createdAt: Date;
};

/** An ApiRequestView's columns, from api_request_log left-joined to api_keys (the view list selects them too). */
export const apiRequestColumns = {
  requestId: apiRequestLog.requestId,
  method: apiRequestLog.method,
  path: apiRequestLog.path,
  operationId: apiRequestLog.operationId,
  status: apiRequestLog.status,
  errorCode: apiRequestLog.errorCode,
  keyName: apiKeys.name,
  keyPrefix: apiKeys.prefix,
  idempotencyKey: apiRequestLog.idempotencyKey,
  replayed: apiRequestLog.replayed,
  durationMs: apiRequestLog.durationMs,
  createdAt: apiRequestLog.createdAt,
};

/** The latest API requests (newest first, bounded) about one customer, or made with one key. */
export async function listApiRequests(db: Db, filter: { customerId?: string; apiKeyId?: string; limit?: number }): Promise<ApiRequestView[]> {
  const conditions: SQL[] = [];
  if (filter.customerId) conditions.push(eq(apiRequestLog.customerId, filter.customerId));
  if (filter.apiKeyId) conditions.push(eq(apiRequestLog.apiKeyId, filter.apiKeyId));
  return db
    .select(apiRequestColumns)
    .from(apiRequestLog)
    .leftJoin(apiKeys, eq(apiKeys.id, apiRequestLog.apiKeyId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(apiRequestLog.createdAt), desc(apiRequestLog.id))
    .limit(Math.min(Math.max(filter.limit ?? 20, 1), 100));
}
