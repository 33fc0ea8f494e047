import type { Db } from "@/db/client";
import type { WebhookEventType } from "@/server/webhooks/webhook-event-types";
import { emitWebhookEvent } from "@/server/webhooks/emit-webhook-event";
import { previousAttributes } from "./customer-json";
import { loadSubscriptionJson, type SubscriptionJson } from "./subscription-json";

type SubscriptionEventType = Extract<WebhookEventType, "subscription.created" | "subscription.updated" | "subscription.canceled">;

/**
 * `subscription.*` in the outbox, in the transaction of the change: the subscription as it is now
 * (read inside the transaction) and, when `before` is given, what changed.
 */
export async function emitSubscriptionEvent(tx: Db, type: SubscriptionEventType, subscriptionId: string, at: Date, before?: SubscriptionJson): Promise<SubscriptionJson> {
  const object = await loadSubscriptionJson(tx, subscriptionId, at);
  if (!object) throw new Error(`subscription ${subscriptionId} not found for its ${type} event`);
  const data: Record<string, unknown> = { object };
  if (before) data.previous_attributes = previousAttributes(before, object);
  await emitWebhookEvent(tx, { type, customerId: object.customer, data, at });
  return object;
}

/** The subscription as it was, before a change in this transaction (for `previous_attributes`). */
export async function subscriptionBefore(tx: Db, subscriptionId: string, at: Date): Promise<SubscriptionJson | undefined> {
  return loadSubscriptionJson(tx, subscriptionId, at);
}
