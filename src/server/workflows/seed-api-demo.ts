import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, apiRequestLog, customers, webhookEndpoints } from "@/db/schema";
import { hashApiKey, demoApiKey } from "@/server/api-keys/api-key-secret";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { recordApiRequest } from "@/server/http/request-log";
import { createWebhookEndpoint } from "@/server/webhooks/manage-webhook-endpoints";

/** The demo's webhook receiver: a local URL nothing listens on, so the delivery log shows retries failing as they would. */
export const demoWebhookUrl = "http://127.0.0.1:3339/hooks/tally";

/**
 * Demo data for the API and webhooks: an endpoint subscribed to every event (down, so its log
 * shows failing deliveries and backoff), a few profile updates the product's back end made through
 * the API (each a `customer.updated` event to deliver), and their lines in the API activity.
 * Idempotent: nothing is added when the endpoint exists.
 */
export async function seedApiDemo(db: Db, clock: Clock): Promise<string> {
  const [existing] = await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.url, demoWebhookUrl));
  if (existing) return "already there";
  const actor = systemActor("seed-api-demo");
  await createWebhookEndpoint(db, actor, clock, { url: demoWebhookUrl, description: "The product's back end (local; down in the demo)", eventTypes: ["*"], reason: "demo data" });
  const [key] = await db.select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix }).from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(demoApiKey)));
  const sample = await db.select().from(customers).orderBy(customers.externalId).limit(6);
  const now = clock.now().getTime();
  let index = 0;
  for (const customer of sample) {
    const at = new Date(now - (sample.length - index) * 7 * 60_000);
    index += 1;
    const updated = await upsertCustomer(db, { type: "api_key", id: key?.id ?? "demo", label: key ? `${key.name} (${key.prefix}…)` : "demo key" }, { now: () => at }, {
      externalId: customer.externalId,
      email: customer.email,
      metadata: { signup_source: index % 2 === 0 ? "github" : "google", workspace_region: index % 3 === 0 ? "eu-west" : "us-east" },
    });
    for (const [offset, request] of [
      [0, { method: "POST", path: "/api/v1/customers", operationId: "createCustomer", status: 200, errorCode: null }],
      [2_000, { method: "GET", path: `/api/v1/customers/${customer.externalId}/upcoming_invoice`, operationId: "getUpcomingInvoice", status: 200, errorCode: null }],
      [4_000, { method: "POST", path: "/api/v1/subscriptions", operationId: "createSubscription", status: 409, errorCode: "subscription_exists" }],
    ] as const) {
      await recordApiRequest(db, {
        requestId: `req_demo_${customer.id.slice(0, 8)}_${offset}`,
        apiKeyId: key?.id ?? null,
        ...request,
        customerId: updated.customer.id,
        idempotencyKey: request.method === "POST" ? `demo-${customer.externalId}-${offset}` : null,
        replayed: false,
        durationMs: 12 + ((offset / 1000) * 7) % 40,
        at: new Date(at.getTime() + offset),
      });
    }
  }
  const [count] = await db.select({ count: sql<number>`count(*)::int` }).from(apiRequestLog);
  return `1 webhook endpoint (${demoWebhookUrl}, down), ${sample.length} profile updates, ${count?.count ?? 0} API requests`;
}
