import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookEvents } from "@/db/schema";
import { textArray, timestamptzArray, uuidArray } from "@/server/ledger/sql-arrays";
import type { WebhookEventType } from "./webhook-event-types";

export type EmitWebhookEventInput = {
  type: WebhookEventType;
  /** The customer the event is about (for the customer's webhook activity), when there is one. */
  customerId: string | null;
  /** `{ object, previous_attributes? }`: JSON-safe (money as strings, times as RFC 3339). */
  data: Record<string, unknown>;
  at: Date;
};

/** `msg_` + 12 time-ordered + 16 random characters: unique, sortable by creation, the `webhook-id` of every delivery. */
export function newWebhookMessageId(at: Date): string {
  return `msg_${at.getTime().toString(36).padStart(9, "0")}${crypto.randomBytes(12).toString("base64url")}`;
}

/**
 * Writes an event to the outbox in the caller's transaction, with one pending delivery per
 * enabled endpoint subscribed to its type: the change and its notification commit together or
 * not at all, and the worker delivers what committed. Returns the event id.
 */
export async function emitWebhookEvent(tx: Db, input: EmitWebhookEventInput): Promise<string> {
  const id = newWebhookMessageId(input.at);
  const body = JSON.stringify({ type: input.type, timestamp: input.at.toISOString(), data: input.data });
  await tx.insert(webhookEvents).values({ id, type: input.type, customerId: input.customerId, body, createdAt: input.at });
  await tx.execute(sql`
    insert into webhook_deliveries (endpoint_id, event_id, status, next_attempt_at, created_at)
    select id, ${id}, 'pending', ${input.at.toISOString()}::timestamptz, ${input.at.toISOString()}::timestamptz
    from webhook_endpoints
    where status = 'enabled' and (${input.type} = any(event_types) or '*' = any(event_types))`);
  return id;
}

/**
 * Many events in the caller's transaction with two statements (a period close finalizes
 * thousands of invoices at once): the events, then their deliveries to every enabled endpoint
 * subscribed to each type. Returns the ids in input order.
 */
export async function emitWebhookEvents(tx: Db, inputs: readonly EmitWebhookEventInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  if (inputs.length === 1) return [await emitWebhookEvent(tx, inputs[0]!)];
  const ids = inputs.map((input) => newWebhookMessageId(input.at));
  const bodies = inputs.map((input) => JSON.stringify({ type: input.type, timestamp: input.at.toISOString(), data: input.data }));
  await tx.execute(sql`
    insert into webhook_events (id, type, customer_id, body, created_at)
    select u.id, u.type, u.customer_id, u.body, u.created_at from unnest(${textArray(ids)}, ${textArray(inputs.map((input) => input.type))}, ${uuidArray(inputs.map((input) => input.customerId))}, ${textArray(bodies)}, ${timestamptzArray(inputs.map((input) => input.at))})
    with ordinality as u(id, type, customer_id, body, created_at, position)
    order by position`);
  await tx.execute(sql`
    insert into webhook_deliveries (endpoint_id, event_id, status, next_attempt_at, created_at)
    select e.id, u.id, 'pending', u.created_at, u.created_at
    from unnest(${textArray(ids)}, ${textArray(inputs.map((input) => input.type))}, ${timestamptzArray(inputs.map((input) => input.at))}) as u(id, type, created_at)
    join webhook_endpoints e on e.status = 'enabled' and (u.type = any(e.event_types) or '*' = any(e.event_types))`);
  return ids;
}
