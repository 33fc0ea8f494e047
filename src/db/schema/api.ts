import { sql } from "drizzle-orm";
import { bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apiKeys } from "./api-keys";
import { customers } from "./customers";

export const idempotencyKeyStatuses = ["in_progress", "completed"] as const;
export type IdempotencyKeyStatus = (typeof idempotencyKeyStatuses)[number];

/**
 * `Idempotency-Key` of the public API (`/api/v1`), per API key: the first request with a key
 * claims it (`in_progress`, leased until `locked_until`), and its answer is stored when it
 * completes; a retry with the same key and the same request (`request_hash`: method, path and
 * body) gets that answer again, byte for byte; with another request it is refused. Kept 24 hours
 * (`api:prune-idempotency-keys`).
 */
export const apiIdempotencyKeys = pgTable(
  "api_idempotency_keys",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    status: text("status", { enum: idempotencyKeyStatuses }).notNull(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    responseStatus: integer("response_status"),
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    responseBody: text("response_body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.apiKeyId, table.key] }),
    index("api_idempotency_keys_created_idx").on(table.createdAt),
    check("api_idempotency_keys_key_length", sql`char_length(${table.key}) between 1 and 255`),
    check("api_idempotency_keys_completed", sql`(${table.status} = 'completed') = (${table.responseStatus} is not null)`),
  ],
);

/**
 * One row per request to the resource API (not the hot event and check routes), for the console's
 * "API activity" of a customer and of a key. Kept 30 days (`api:prune-request-log`).
 */
export const apiRequestLog = pgTable(
  "api_request_log",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    requestId: text("request_id").notNull(),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id),
    operationId: text("operation_id"),
    method: text("method").notNull(),
    path: text("path").notNull(),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    customerId: uuid("customer_id").references(() => customers.id),
    idempotencyKey: text("idempotency_key"),
    replayed: boolean("replayed").notNull().default(false),
    durationMs: integer("duration_ms").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("api_request_log_customer_idx").on(table.customerId, table.createdAt),
    // The customer's API activity page sorted by duration, keyset-paged (list-api-requests-view.ts).
    index("api_request_log_customer_duration_idx").on(table.customerId, table.durationMs, table.id),
    index("api_request_log_key_idx").on(table.apiKeyId, table.createdAt),
    index("api_request_log_created_idx").on(table.createdAt),
  ],
);

export type ApiIdempotencyKey = typeof apiIdempotencyKeys.$inferSelect;
export type ApiRequestLogEntry = typeof apiRequestLog.$inferSelect;
