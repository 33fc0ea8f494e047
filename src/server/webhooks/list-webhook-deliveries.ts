import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEvents, type WebhookDeliveryStatus } from "@/db/schema";

export type WebhookDeliveryView = {
  id: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  body: string;
  log: { id: string; trigger: string; requestHeaders: Record<string, string>; statusCode: number | null; responseBody: string | null; error: string | null; durationMs: number; attemptedAt: Date; actorId: string | null }[];
};

/** An endpoint's deliveries, newest first, keyset-paged on (created_at, id), each with its attempts (request, response, duration). */
export async function listWebhookDeliveries(db: Db, input: { endpointId: string; status?: WebhookDeliveryStatus; limit?: number; before?: { createdAt: Date; id: string } }): Promise<{ items: WebhookDeliveryView[]; next: { createdAt: Date; id: string } | null }> {
  const limit = Math.min(Math.max(input.limit ?? 25, 1), 100);
  const conditions: SQL[] = [eq(webhookDeliveries.endpointId, input.endpointId)];
  if (input.status) conditions.push(eq(webhookDeliveries.status, input.status));
  if (input.before) conditions.push(or(lt(webhookDeliveries.createdAt, input.before.createdAt), and(eq(webhookDeliveries.createdAt, input.before.createdAt), lt(webhookDeliveries.id, input.before.id)))!);
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      eventId: webhookDeliveries.eventId,
      eventType: webhookEvents.type,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      lastError: webhookDeliveries.lastError,
      createdAt: webhookDeliveries.createdAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      body: webhookEvents.body,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attempts = page.length === 0 ? [] : await db.select().from(webhookDeliveryAttempts).where(inArray(webhookDeliveryAttempts.deliveryId, page.map((row) => row.id))).orderBy(desc(webhookDeliveryAttempts.attemptedAt)).limit(2_000);
  const items = page.map((row) => ({
    ...row,
    log: attempts
      .filter((item) => item.deliveryId === row.id)
      .slice(0, 20)
      .map((item) => ({ id: item.id.toString(), trigger: item.trigger, requestHeaders: item.requestHeaders, statusCode: item.statusCode, responseBody: item.responseBody, error: item.error, durationMs: item.durationMs, attemptedAt: item.attemptedAt, actorId: item.actorId })),
  }));
  const last = page.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
