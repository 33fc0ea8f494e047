import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Price } from "@/server/pricing/price-schema";

export const featureKinds = ["boolean", "metered", "config"] as const;
export type FeatureKind = (typeof featureKinds)[number];

export const meterAggregations = ["count", "sum", "max", "unique_count", "latest"] as const;
export type MeterAggregation = (typeof meterAggregations)[number];

export const planVersionStatuses = ["draft", "published", "archived"] as const;
export type PlanVersionStatus = (typeof planVersionStatuses)[number];

export const billingIntervals = ["month", "year"] as const;
export type BillingInterval = (typeof billingIntervals)[number];

/** A condition on an event property (a dotted path into `data`). */
export type MeterFilter =
  | { property: string; operator: "equals" | "not_equals"; value: string }
  | { property: string; operator: "in" | "not_in"; values: string[] };

/** What a plan version grants for one feature. Meters and features are named by key. */
export type Entitlement =
  | { featureKey: string; kind: "boolean"; enabled: boolean }
  | { featureKey: string; kind: "config"; value: string | number | boolean }
  | {
      featureKey: string;
      kind: "metered";
      meterKey: string;
      /** Free quantity per billing period (decimal string); null = unlimited. */
      allowancePerPeriod: string | null;
      overage: "bill" | "block";
    };

/** A usage price of a plan version: the pricing engine's Price, as JSON (decimals and micros as strings). */
export type UsagePrice = { meterKey: string; price: Price };

/** A product family: what revenue is reported under (`revenue:usage:<product>`). */
export const products = pgTable("catalog_products", {
  id: uuid("id").primaryKey().defaultRandom(),
  key: text("key").notNull().unique(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  stripeProductId: text("stripe_product_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const features = pgTable("catalog_features", {
  id: uuid("id").primaryKey().defaultRandom(),
  key: text("key").notNull().unique(),
  name: text("name").notNull(),
  kind: text("kind", { enum: featureKinds }).notNull(),
  productId: uuid("product_id").references(() => products.id),
  description: text("description").notNull().default(""),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const meters = pgTable(
  "catalog_meters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    key: text("key").notNull().unique(),
    name: text("name").notNull(),
    productId: uuid("product_id").references(() => products.id),
    /** The CloudEvents `type` this meter reads. */
    eventType: text("event_type").notNull(),
    aggregation: text("aggregation", { enum: meterAggregations }).notNull(),
    /** Dotted path into the event's `data` (e.g. `usage.input_tokens`); null only for `count`. */
    valuePath: text("value_path"),
    filters: jsonb("filters").$type<MeterFilter[]>().notNull().default([]),
    groupBy: text("group_by").array().notNull().default(sql`'{}'::text[]`),
    unit: text("unit").notNull().default("unit"),
    stripeMeterId: text("stripe_meter_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("catalog_meters_event_type_idx").on(table.eventType),
    check("catalog_meters_value_path", sql`${table.aggregation} = 'count' or ${table.valuePath} is not null`),
  ],
);

export const plans = pgTable(
  "catalog_plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    key: text("key").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    stripeProductId: text("stripe_product_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // The console's plan list sorts by key (its unique index), name or creation, keyset-paged on (sort, id).
  (table) => [index("catalog_plans_name_idx").on(table.name, table.id), index("catalog_plans_created_idx").on(table.createdAt, table.id)],
);

/**
 * Immutable once published: a trigger (migration `*_catalog_immutable.sql`) refuses any change
 * to a published or archived version except published → archived and the Stripe ids. Customers
 * reference a version (`plan_version_id`) and stay on it until their plan is changed.
 */
export const planVersions = pgTable(
  "catalog_plan_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id),
    version: integer("version").notNull(),
    status: text("status", { enum: planVersionStatuses }).notNull().default("draft"),
    currency: text("currency").notNull(),
    billingInterval: text("billing_interval", { enum: billingIntervals }).notNull(),
    baseFeePerSeatMicros: bigint("base_fee_per_seat_micros", { mode: "bigint" }).notNull().default(sql`0`),
    trialDays: integer("trial_days").notNull().default(0),
    entitlements: jsonb("entitlements").$type<Entitlement[]>().notNull().default([]),
    usagePrices: jsonb("usage_prices").$type<UsagePrice[]>().notNull().default([]),
    /** Stripe price of the base fee, and per meter key the Stripe price of its usage (set by the sync). */
    stripePriceId: text("stripe_price_id"),
    stripeUsagePriceIds: jsonb("stripe_usage_price_ids").$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("catalog_plan_versions_plan_version_key").on(table.planId, table.version),
    uniqueIndex("catalog_plan_versions_one_draft_key").on(table.planId).where(sql`${table.status} = 'draft'`),
    check("catalog_plan_versions_base_fee", sql`${table.baseFeePerSeatMicros} >= 0`),
    check("catalog_plan_versions_trial_days", sql`${table.trialDays} between 0 and 365`),
    check("catalog_plan_versions_currency", sql`${table.currency} ~ '^[a-z]{3}$'`),
    check("catalog_plan_versions_version", sql`${table.version} >= 1`),
    check("catalog_plan_versions_published_at", sql`${table.status} = 'draft' or ${table.publishedAt} is not null`),
    check("catalog_plan_versions_archived_at", sql`${table.status} <> 'archived' or ${table.archivedAt} is not null`),
  ],
);

export type Product = typeof products.$inferSelect;
export type Feature = typeof features.$inferSelect;
export type Meter = typeof meters.$inferSelect;
export type Plan = typeof plans.$inferSelect;
export type PlanVersion = typeof planVersions.$inferSelect;
