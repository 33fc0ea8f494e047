import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints, webhookEvents } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { sendSigned, type SendResult } from "./deliver-webhooks";

/**
 * An admin sends one delivery again now (the same event id and body, a fresh timestamp and
 * signature), whatever its status: receivers that dedupe on `webhook-id` ignore it if they had
 * it. The attempt is logged as a replay by the admin, audited with the reason; a success marks a
 * failed or pending delivery delivered.
 */
export async function replayWebhookDelivery(db: Db, actor: Actor, clock: Clock, input: { deliveryId: string; reason: string }, send: typeof fetch = fetch): Promise<SendResult> {
  const reason = input.reason.trim();
  if (reason.length < 3) throw new DomainError("invalid", "invalid_reason", "Say why (3 to 500 characters).", undefined, { param: "reason" });
  const [row] = /^[0-9a-f-]{36}$/i.test(input.deliveryId)
    ? await db
        .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secret: webhookEndpoints.secret, body: webhookEvents.body })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(eq(webhookDeliveries.id, input.deliveryId))
    : [];
  if (!row) throw new DomainError("not_found", "webhook_delivery_not_found", "No webhook delivery has that id.");
  const result = await sendSigned({ url: row.url, secret: row.secret, body: row.body, event_id: row.delivery.eventId }, send, clock);
  await db.transaction(async (tx) => {
    await tx.insert(webhookDeliveryAttempts).values({
      deliveryId: row.delivery.id,
      endpointId: row.delivery.endpointId,
      trigger: "replay",
      requestHeaders: result.requestHeaders,
      statusCode: result.statusCode,
      responseBody: result.responseBody,
      error: result.error,
      durationMs: result.durationMs,
      attemptedAt: result.attemptedAt,
      actorId: `${actor.type}:${actor.id}`,
    });
    if (result.ok) {
      await tx.update(webhookDeliveries).set({ status: "delivered", deliveredAt: clock.now(), lastStatusCode: result.statusCode, lastError: null, lockedUntil: null }).where(eq(webhookDeliveries.id, row.delivery.id));
      await tx.update(webhookEndpoints).set({ failingSince: null }).where(sql`${webhookEndpoints.id} = ${row.delivery.endpointId} and ${webhookEndpoints.failingSince} is not null`);
    }
    await recordAudit(tx, {
      actor,
      action: "webhook_delivery.replay",
      objectType: "webhook_delivery",
      objectId: row.delivery.id,
      reason,
      metadata: { eventId: row.delivery.eventId, endpointId: row.delivery.endpointId, statusCode: result.statusCode, ok: result.ok, error: result.error },
    });
  });
  return result;
}
