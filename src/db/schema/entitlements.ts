import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

/**
 * One row per customer whose entitlements changed at least once: `version` grows by one in the
 * same transaction as any change that affects what the customer may use (plan, seats, status,
 * grants, promotions, spend limit). Entitlement caches compare versions instead of expiring on a
 * timer, so the very next check after a commit sees the change.
 */
export const entitlementVersions = pgTable("entitlement_versions", {
  customerId: uuid("customer_id")
    .primaryKey()
    .references(() => customers.id),
  version: bigint("version", { mode: "bigint" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const entitlementRestrictionScopes = ["usage_based", "all"] as const;
export type EntitlementRestrictionScope = (typeof entitlementRestrictionScopes)[number];

/**
 * The hook for dunning: while a row exists, the customer's usage-based (metered) features — or,
 * with scope `all`, every feature — answer `subscription_inactive`. Set and lifted with
 * restrictEntitlements / liftEntitlementRestriction (entitlements domain), which bump the
 * entitlement version in the same transaction.
 */
export const entitlementRestrictions = pgTable("entitlement_restrictions", {
  customerId: uuid("customer_id")
    .primaryKey()
    .references(() => customers.id),
  scope: text("scope", { enum: entitlementRestrictionScopes }).notNull(),
  reason: text("reason").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const reservationStatuses = ["pending", "consumed", "released", "expired"] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];

/**
 * A two-phase hold on a metered feature taken by a check with `reserve: true`: pending until
 * the usage event carrying its id consumes it, the client releases it, or its time-to-live
 * passes. A pending hold whose `expires_at` has passed no longer counts even before the
 * expiry worker marks it, so expiry is exact whatever the worker's lag.
 */
export const entitlementReservations = pgTable(
  "entitlement_reservations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    featureKey: text("feature_key").notNull(),
    meterKey: text("meter_key").notNull(),
    /** Exact decimal held. */
    quantity: numeric("quantity").notNull(),
    /** The most the held quantity can cost (spend-limit hold), micro-units; 0 when not priced. */
    amountMicros: bigint("amount_micros", { mode: "bigint" }).notNull().default(sql`0`),
    status: text("status", { enum: reservationStatuses }).notNull().default("pending"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    consumedQuantity: numeric("consumed_quantity"),
    /** `source` + `/` + `id` of the usage event that consumed the hold, when one did. */
    consumedByEvent: text("consumed_by_event"),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("entitlement_reservations_pending_idx").on(table.customerId, table.featureKey).where(sql`${table.status} = 'pending'`),
    index("entitlement_reservations_expiry_idx").on(table.expiresAt).where(sql`${table.status} = 'pending'`),
    check("entitlement_reservations_quantity", sql`${table.quantity} > 0`),
    check("entitlement_reservations_amount", sql`${table.amountMicros} >= 0`),
    check("entitlement_reservations_settled", sql`(${table.status} = 'pending') = (${table.settledAt} is null)`),
  ],
);

/**
 * A generic outbox of notifications to customers or staff (spend warnings here; dunning reuses
 * it). `dedupe_key` makes recording idempotent: a notification is recorded once however many
 * processes notice the condition. A sender sets `sent_at` when delivered.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id").references(() => customers.id),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("notifications_dedupe_key").on(table.dedupeKey),
    index("notifications_unsent_idx").on(table.createdAt).where(sql`${table.sentAt} is null`),
    index("notifications_customer_idx").on(table.customerId, table.createdAt),
  ],
);

export type EntitlementRestriction = typeof entitlementRestrictions.$inferSelect;
export type EntitlementReservation = typeof entitlementReservations.$inferSelect;
export type Notification = typeof notifications.$inferSelect;

/**
 * Refused entitlement checks per hour, customer, feature and reason (allowance exhausted, spend
 * limit reached, subscription inactive), counted in memory by each server process and flushed every
 * few seconds, so the check itself writes nothing. The spend-limit anomaly reads them.
 */
export const entitlementDenialCounts = pgTable(
  "entitlement_denial_counts",
  {
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    featureKey: text("feature_key").notNull(),
    reason: text("reason").notNull(),
    count: bigint("count", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.customerId, table.hour, table.featureKey, table.reason] }), index("entitlement_denial_counts_hour_idx").on(table.hour)],
);

export type EntitlementDenialCount = typeof entitlementDenialCounts.$inferSelect;
