import { sql } from "drizzle-orm";
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

export const webhookEndpointStatuses = ["enabled", "disabled"] as const;
export type WebhookEndpointStatus = (typeof webhookEndpointStatuses)[number];

/**
 * Where the product hears about billing changes (webhooks out). Each endpoint has its own
 * Standard Webhooks secret (`whsec_<base64>`, kept to sign) and the event types it wants. An
 * endpoint that keeps failing for the retry window is disabled and the admins are told.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    eventTypes: text("event_types").array().notNull(),
    secret: text("secret").notNull(),
    status: text("status", { enum: webhookEndpointStatuses }).notNull().default("enabled"),
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** First failed attempt since the last success; null while deliveries succeed. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check("webhook_endpoints_event_types", sql`cardinality(${table.eventTypes}) between 1 and 50`),
    // The console list's sorts.
    index("webhook_endpoints_created_sort_idx").on(table.createdAt, table.id),
    index("webhook_endpoints_url_sort_idx").on(table.url, table.id),
  ],
);

/**
 * The outbox: one row per event, written in the same transaction as the change it reports;
 * `body` is the exact JSON every endpoint receives (`{type, timestamp, data}`), so every attempt
 * and replay sends the same signed bytes. `id` (`msg_…`) is the `webhook-id` receivers dedupe on.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    /** Commit-ish order of events (ties in `created_at` are common: one transaction emits several). */
    sequence: bigserial("sequence", { mode: "bigint" }).notNull().unique(),
    type: text("type").notNull(),
    customerId: uuid("customer_id").references(() => customers.id),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("webhook_events_customer_idx").on(table.customerId, table.createdAt), index("webhook_events_created_idx").on(table.createdAt)],
);

export const webhookDeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/**
 * One event to one endpoint, fanned out when the event is written (to the endpoints enabled
 * and subscribed then). The worker claims due pending rows (FOR UPDATE SKIP LOCKED, leased
 * until `locked_until`), retries with exponential backoff for three days, then gives up (`failed`).
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id),
    status: text("status", { enum: webhookDeliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("webhook_deliveries_endpoint_event_key").on(table.endpointId, table.eventId),
    index("webhook_deliveries_due_idx").on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    // The endpoint page's delivery list: its sorts within one endpoint.
    index("webhook_deliveries_endpoint_created_sort_idx").on(table.endpointId, table.createdAt, table.id),
    index("webhook_deliveries_endpoint_attempts_sort_idx").on(table.endpointId, table.attempts, table.id),
  ],
);

export const webhookAttemptTriggers = ["automatic", "replay"] as const;

/** Every HTTP attempt of a delivery, for the endpoint's delivery log: what was sent, what came back, how long it took. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    trigger: text("trigger", { enum: webhookAttemptTriggers }).notNull(),
    requestHeaders: jsonb("request_headers").$type<Record<string, string>>().notNull(),
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull(),
    actorId: text("actor_id"),
  },
  (table) => [index("webhook_delivery_attempts_delivery_idx").on(table.deliveryId, table.attemptedAt), index("webhook_delivery_attempts_endpoint_idx").on(table.endpointId, table.attemptedAt)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type WebhookDeliveryAttempt = typeof webhookDeliveryAttempts.$inferSelect;
