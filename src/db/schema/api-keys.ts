import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * `ingest`: send usage events; `entitlements`: checks, reservations, promotion codes; `read`: read
 * customers, subscriptions, invoices, usage, credits and plans; `customers:write`: create, update
 * and archive customers, payment setup; `subscriptions:write`: start, change, cancel and resume
 * subscriptions and set spend limits; `credits:write`: issue purchased credits.
 */
export const apiKeyScopes = ["ingest", "entitlements", "read", "customers:write", "subscriptions:write", "credits:write"] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/**
 * Machine credentials for the edge services. The secret itself is never stored: only its
 * SHA-256 (hex) and a short visible prefix so people can tell keys apart in the console.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** The first characters of the key, e.g. `tly_live_AbCd`; safe to show. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes", { enum: apiKeyScopes }).array().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by"),
  },
  (table) => [index("api_keys_created_idx").on(table.createdAt, table.id), index("api_keys_name_sort_idx").on(sql`lower(${table.name})`, table.id)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
