import type { Db } from "@/db/client";
import { apiRequestLog } from "@/db/schema";

export const requestLogRetentionDays = 30;

export type ApiRequestLogInput = {
  requestId: string;
  apiKeyId: string | null;
  operationId: string | null;
  method: string;
  path: string;
  status: number;
  errorCode: string | null;
  customerId: string | null;
  idempotencyKey: string | null;
  replayed: boolean;
  durationMs: number;
  at: Date;
};

/** One row per resource-API request (the console's API activity). A failure to log never fails the request. */
export async function recordApiRequest(db: Db, input: ApiRequestLogInput): Promise<void> {
  try {
    await db.insert(apiRequestLog).values({
      requestId: input.requestId,
      apiKeyId: input.apiKeyId,
      operationId: input.operationId,
      method: input.method,
      path: input.path.slice(0, 1000),
      status: input.status,
      errorCode: input.errorCode,
      customerId: input.customerId,
      idempotencyKey: input.idempotencyKey?.slice(0, 255) ?? null,
      replayed: input.replayed,
      durationMs: Math.max(0, Math.round(input.durationMs)),
      createdAt: input.at,
    });
  } catch (error) {
    console.error(`Could not log API request ${input.requestId}`, error);
  }
}
