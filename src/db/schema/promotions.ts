import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, numeric, pgTable, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";
import { creditGrants } from "./grants";

export const promotionStatuses = ["draft", "active", "paused", "ended"] as const;
export type PromotionStatus = (typeof promotionStatuses)[number];

/**
 * What redeeming a promotion does. Money is a string of micro-units, quantities decimal strings
 * (the JSON shape is parsed by zod in `src/server/promotions/promotion-schemas.ts`).
 */
export type PromotionEffect =
  | { type: "credit"; amountMicros: string; currency: string; expiryDays: number | null }
  | { type: "discount"; productKey: string; percentBasisPoints: number | null; fixedMicros: string | null; currency: string; periods: number }
  | { type: "allowance"; featureKey: string; meterKey: string; quantityPerPeriod: string; periods: number };

/** Who may redeem. Every condition given must hold (and). */
export type PromotionEligibility = {
  /** Only customers created at most this many days before the redemption. */
  newCustomerWithinDays: number | null;
  /** Only customers whose live subscription is on one of these plans (empty = any). */
  planKeys: string[];
  /** Only customers whose plan includes a feature of one of these products (empty = any). */
  productKeys: string[];
};

export const promotions = pgTable(
  "promotions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: promotionStatuses }).notNull().default("draft"),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    /** Exclusive; null = open-ended. */
    endsAt: timestamp("ends_at", { withTimezone: true }),
    eligibility: jsonb("eligibility").$type<PromotionEligibility>().notNull(),
    effect: jsonb("effect").$type<PromotionEffect>().notNull(),
    /** Total redemptions allowed; null = unlimited. */
    maxRedemptions: integer("max_redemptions"),
    maxRedemptionsPerCustomer: integer("max_redemptions_per_customer").notNull().default(1),
    /** Incremented under the row lock by each redemption; the CHECK makes over-redeeming impossible. */
    redemptionCount: integer("redemption_count").notNull().default(0),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("promotions_created_idx").on(table.createdAt, table.id),
    // The console list's other sorts (src/server/promotions/list-promotions.ts), keyset-paged on (sort, id).
    index("promotions_name_idx").on(sql`lower(${table.name})`, table.id),
    index("promotions_starts_idx").on(table.startsAt, table.id),
    index("promotions_redemptions_idx").on(table.redemptionCount, table.id),
    check("promotions_window_check", sql`${table.endsAt} is null or ${table.endsAt} > ${table.startsAt}`),
    check("promotions_limits_check", sql`(${table.maxRedemptions} is null or ${table.maxRedemptions} >= 1) and ${table.maxRedemptionsPerCustomer} between 1 and 1000`),
    check("promotions_count_check", sql`${table.redemptionCount} >= 0 and (${table.maxRedemptions} is null or ${table.redemptionCount} <= ${table.maxRedemptions})`),
  ],
);

/**
 * Codes are not secrets (people share them on purpose), so they are stored plain, upper case,
 * unique across all promotions. A shared code has no limit of its own; a generated code is
 * single-use (`max_redemptions` 1).
 */
export const promotionCodes = pgTable(
  "promotion_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    promotionId: uuid("promotion_id")
      .notNull()
      .references(() => promotions.id),
    code: text("code").notNull(),
    kind: text("kind", { enum: ["shared", "unique"] }).notNull(),
    maxRedemptions: integer("max_redemptions"),
    redemptionCount: integer("redemption_count").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("promotion_codes_code_idx").on(table.code),
    index("promotion_codes_promotion_idx").on(table.promotionId, table.createdAt),
    check("promotion_codes_code_check", sql`${table.code} ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'`),
    check("promotion_codes_count_check", sql`${table.redemptionCount} >= 0 and (${table.maxRedemptions} is null or ${table.redemptionCount} <= ${table.maxRedemptions})`),
  ],
);

export const promotionRedemptions = pgTable(
  "promotion_redemptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    promotionId: uuid("promotion_id")
      .notNull()
      .references(() => promotions.id),
    codeId: uuid("code_id")
      .notNull()
      .references(() => promotionCodes.id),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    /** 1..max per customer; unique with (promotion, customer), so a customer can never exceed the limit. */
    customerSequence: integer("customer_sequence").notNull(),
    idempotencyKey: text("idempotency_key"),
    /** The effect as applied (a copy: the promotion may be edited later). */
    effect: jsonb("effect").$type<PromotionEffect>().notNull(),
    grantId: uuid("grant_id").references(() => creditGrants.id),
    redeemedAt: timestamp("redeemed_at", { withTimezone: true }).notNull(),
    redeemedBy: text("redeemed_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique("promotion_redemptions_customer_sequence_key").on(table.promotionId, table.customerId, table.customerSequence),
    uniqueIndex("promotion_redemptions_idempotency_key_idx").on(table.idempotencyKey).where(sql`${table.idempotencyKey} is not null`),
    // A promotion's redemptions (list-promotion-redemptions.ts), keyset-paged by time or by who redeemed them.
    index("promotion_redemptions_promotion_idx").on(table.promotionId, table.redeemedAt, table.id),
    index("promotion_redemptions_promotion_by_idx").on(table.promotionId, sql`lower(${table.redeemedBy})`, table.id),
    index("promotion_redemptions_customer_idx").on(table.customerId),
    check("promotion_redemptions_sequence_check", sql`${table.customerSequence} >= 1`),
  ],
);

/**
 * A discount a promotion gave a customer on one product, for a number of billing periods, that
 * the billing engineer applies when rating: `percent_basis_points` (2000 = 20%) or `fixed_micros`
 * per period, never both. It applies to periods that start in [starts_at, ends_at);
 * `periods_remaining` is for the billing side to count down as it applies it.
 */
export const customerDiscounts = pgTable(
  "customer_discounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    productKey: text("product_key").notNull(),
    percentBasisPoints: integer("percent_basis_points"),
    fixedMicros: bigint("fixed_micros", { mode: "bigint" }),
    currency: text("currency").notNull(),
    periodsTotal: integer("periods_total").notNull(),
    periodsRemaining: integer("periods_remaining").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    sourceRedemptionId: uuid("source_redemption_id").references(() => promotionRedemptions.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("customer_discounts_customer_idx").on(table.customerId, table.endsAt),
    check(
      "customer_discounts_amount_check",
      sql`(${table.percentBasisPoints} is not null and ${table.fixedMicros} is null and ${table.percentBasisPoints} between 1 and 10000)
       or (${table.fixedMicros} is not null and ${table.percentBasisPoints} is null and ${table.fixedMicros} > 0)`,
    ),
    check("customer_discounts_periods_check", sql`${table.periodsTotal} >= 1 and ${table.periodsRemaining} between 0 and ${table.periodsTotal}`),
    check("customer_discounts_window_check", sql`${table.endsAt} > ${table.startsAt}`),
  ],
);

/**
 * Extra allowance of a metered feature, per billing period, in [starts_at, ends_at). The
 * entitlements engineer reads exactly this table: keep the column names.
 */
export const allowanceGrants = pgTable(
  "allowance_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    featureKey: text("feature_key").notNull(),
    meterKey: text("meter_key").notNull(),
    /** Exact decimal; drizzle returns numeric as a string. */
    quantityPerPeriod: numeric("quantity_per_period").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    sourceRedemptionId: uuid("source_redemption_id").references(() => promotionRedemptions.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("allowance_grants_customer_idx").on(table.customerId, table.endsAt),
    check("allowance_grants_quantity_check", sql`${table.quantityPerPeriod} > 0`),
    check("allowance_grants_window_check", sql`${table.endsAt} > ${table.startsAt}`),
  ],
);

export type Promotion = typeof promotions.$inferSelect;
export type PromotionCode = typeof promotionCodes.$inferSelect;
export type PromotionRedemption = typeof promotionRedemptions.$inferSelect;
export type CustomerDiscount = typeof customerDiscounts.$inferSelect;
export type AllowanceGrant = typeof allowanceGrants.$inferSelect;
