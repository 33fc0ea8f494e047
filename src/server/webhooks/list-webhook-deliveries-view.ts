import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEvents, type WebhookDeliveryStatus } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { WebhookDeliveryView } from "./list-webhook-deliveries";

export const deliverySortKeys = ["created", "attempts"] as const;
export type DeliverySortKey = (typeof deliverySortKeys)[number];

export type ListDeliveriesViewInput = {
  endpointId: string;
  status?: WebhookDeliveryStatus;
  /** Default `created` descending (newest first). */
  sort?: DeliverySortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;
/** Attempts shown per delivery (the newest); the count of all is `attempts`. */
export const deliveryLogAttempts = 20;

const sorts: Record<DeliverySortKey, KeysetSort> = {
  created: { expression: sql`${webhookDeliveries.createdAt}`, type: "timestamptz" },
  attempts: { expression: sql`${webhookDeliveries.attempts}`, type: "integer" },
};

/**
 * One endpoint's deliveries for the console: newest first, or by number of attempts, filtered by
 * status, keyset-paged on the `(endpoint_id, sort, id)` indexes; each with its newest attempts
 * (request, response, duration).
 */
export async function listWebhookDeliveriesView(db: Db, input: ListDeliveriesViewInput): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const fixed = { column: sql`${webhookDeliveries.endpointId}`, value: input.endpointId };
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${webhookDeliveries.id}`, idType: "uuid", cursor: input.cursor, fixed });
  const filters: SQL[] = [];
  if (input.status) filters.push(eq(webhookDeliveries.status, input.status));
  if (plan.where) filters.push(plan.where);
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
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  const ids = page.items.map((row) => row.id);
  const attempts =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(webhookDeliveryAttempts)
          .where(and(inArray(webhookDeliveryAttempts.deliveryId, ids), sql`${webhookDeliveryAttempts.id} in (
              select a.id from webhook_delivery_attempts a where a.delivery_id = ${webhookDeliveryAttempts.deliveryId} order by a.attempted_at desc limit ${deliveryLogAttempts})`))
          .orderBy(desc(webhookDeliveryAttempts.attemptedAt));
  const items = page.items.map(({ cursorValue: _cursorValue, ...row }) => ({
    ...row,
    log: attempts
      .filter((item) => item.deliveryId === row.id)
      .map((item) => ({ id: item.id.toString(), trigger: item.trigger, requestHeaders: item.requestHeaders, statusCode: item.statusCode, responseBody: item.responseBody, error: item.error, durationMs: item.durationMs, attemptedAt: item.attemptedAt, actorId: item.actorId })),
  }));
  return { items, nextCursor: page.nextCursor };
}
