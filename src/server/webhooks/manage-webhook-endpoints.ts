import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookEndpoints, type WebhookEndpoint } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { webhookEventTypes } from "./webhook-event-types";
import { generateWebhookSecret, maskWebhookSecret } from "./webhook-secret";

export type WebhookEndpointInput = { url: string; description: string; eventTypes: readonly string[] };

/** http(s) URLs only; `*` or known event types (at least one). */
function checkInput(input: WebhookEndpointInput): { url: string; description: string; eventTypes: string[] } {
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    throw new DomainError("invalid", "invalid_url", "The endpoint URL is not a valid URL (https://…).", undefined, { param: "url" });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new DomainError("invalid", "invalid_url", "The endpoint URL must be http:// or https://.", undefined, { param: "url" });
  if (url.username || url.password) throw new DomainError("invalid", "invalid_url", "Put no credentials in the URL: receivers verify the signature instead.", undefined, { param: "url" });
  const eventTypes = [...new Set(input.eventTypes.map((type) => type.trim()))];
  if (eventTypes.length === 0) throw new DomainError("invalid", "invalid_event_types", "Choose at least one event type (or all of them).", undefined, { param: "eventTypes" });
  const unknown = eventTypes.filter((type) => type !== "*" && !(webhookEventTypes as readonly string[]).includes(type));
  if (unknown.length > 0) throw new DomainError("invalid", "invalid_event_types", `Unknown event types: ${unknown.slice(0, 5).join(", ")}.`, undefined, { param: "eventTypes" });
  const description = input.description.trim();
  if (description.length > 500) throw new DomainError("invalid", "invalid_description", "The description has at most 500 characters.", undefined, { param: "description" });
  return { url: url.toString(), description, eventTypes: eventTypes.includes("*") ? ["*"] : eventTypes.sort() };
}

export function describeEndpoint(endpoint: WebhookEndpoint) {
  const { secret, ...rest } = endpoint;
  return { ...rest, secretHint: maskWebhookSecret(secret) };
}

/** Registers an endpoint with a fresh signing secret (shown to the admin, who gives it to the receiver). Audited. */
export async function createWebhookEndpoint(db: Db, actor: Actor, clock: Clock, input: WebhookEndpointInput & { reason: string }): Promise<WebhookEndpoint> {
  const checked = checkInput(input);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.insert(webhookEndpoints).values({ ...checked, secret: generateWebhookSecret(), createdBy: `${actor.type}:${actor.id}`, createdAt: now, updatedAt: now }).returning();
    if (!endpoint) throw new Error("insert returned no row");
    await recordAudit(tx, { actor, action: "webhook_endpoint.create", objectType: "webhook_endpoint", objectId: endpoint.id, reason: input.reason, after: describeEndpoint(endpoint) });
    return endpoint;
  });
}

export type UpdateWebhookEndpointInput = { endpointId: string; reason: string } & Partial<WebhookEndpointInput> & { status?: "enabled" | "disabled"; rotateSecret?: boolean };

/** Changes URL, description, events; enables (pending deliveries resume) or disables; rotates the secret. Audited. */
export async function updateWebhookEndpoint(db: Db, actor: Actor, clock: Clock, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, input.endpointId)).for("update");
    if (!before) throw new DomainError("not_found", "webhook_endpoint_not_found", "No webhook endpoint has that id.");
    const checked = checkInput({ url: input.url ?? before.url, description: input.description ?? before.description, eventTypes: input.eventTypes ?? before.eventTypes });
    const status = input.status ?? before.status;
    const [after] = await tx
      .update(webhookEndpoints)
      .set({
        ...checked,
        status,
        ...(input.rotateSecret ? { secret: generateWebhookSecret() } : {}),
        ...(status === "enabled" && before.status === "disabled" ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
        ...(status === "disabled" && before.status === "enabled" ? { disabledAt: now, disabledReason: `Disabled by ${actor.label}: ${input.reason}` } : {}),
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, before.id))
      .returning();
    if (!after) throw new Error("update returned no row");
    await recordAudit(tx, { actor, action: input.rotateSecret ? "webhook_endpoint.rotate_secret" : "webhook_endpoint.update", objectType: "webhook_endpoint", objectId: after.id, reason: input.reason, before: describeEndpoint(before), after: describeEndpoint(after) });
    return after;
  });
}

export type WebhookEndpointSummary = ReturnType<typeof describeEndpoint> & { pending: number; delivered: number; failed: number; lastDeliveredAt: Date | null };

/** Every endpoint (a handful; bounded) with its delivery counts. */
export async function listWebhookEndpoints(db: Db): Promise<WebhookEndpointSummary[]> {
  const endpoints = await db.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt)).limit(100);
  const counts = await db.execute(sql`
    select endpoint_id, count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'delivered')::int as delivered,
      count(*) filter (where status = 'failed')::int as failed, max(delivered_at) as last_delivered_at
    from webhook_deliveries group by endpoint_id`);
  const rows = (Array.isArray(counts) ? counts : (counts as unknown as { rows: unknown[] }).rows) as { endpoint_id: string; pending: number; delivered: number; failed: number; last_delivered_at: string | Date | null }[];
  return endpoints.map((endpoint) => {
    const row = rows.find((candidate) => candidate.endpoint_id === endpoint.id);
    return { ...describeEndpoint(endpoint), pending: Number(row?.pending ?? 0), delivered: Number(row?.delivered ?? 0), failed: Number(row?.failed ?? 0), lastDeliveredAt: row?.last_delivered_at ? new Date(row.last_delivered_at) : null };
  });
}

/** One endpoint, secret included (the admin's endpoint page reveals it on request). */
export async function getWebhookEndpoint(db: Db, endpointId: string): Promise<WebhookEndpoint> {
  const [endpoint] = /^[0-9a-f-]{36}$/i.test(endpointId) ? await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId))) : [];
  if (!endpoint) throw new DomainError("not_found", "webhook_endpoint_not_found", "No webhook endpoint has that id.");
  return endpoint;
}
