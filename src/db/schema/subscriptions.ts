import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { planVersions } from "./catalog";
import { customers } from "./customers";

export const subscriptionStatuses = ["trialing", "active", "past_due", "unpaid", "canceled", "incomplete"] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/**
 * A customer's subscription to one plan version (customers domain). Billing periods are not
 * stored: they follow from `billing_anchor` and the version's interval (see billing-period.ts),
 * so they can never drift from the anchor. Stripe's copy is mirrored by the stripe domain.
 */
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    planVersionId: uuid("plan_version_id")
      .notNull()
      .references(() => planVersions.id),
    status: text("status", { enum: subscriptionStatuses }).notNull(),
    seats: integer("seats").notNull().default(1),
    billingAnchor: timestamp("billing_anchor", { withTimezone: true }).notNull(),
    trialEnd: timestamp("trial_end", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** Hard monthly limit on usage-based charges, micro-units; null = no limit. */
    spendLimitMicros: bigint("spend_limit_micros", { mode: "bigint" }),
    /** Percentages of the spend limit at which the customer is warned, once per period each (ascending). */
    spendWarningThresholdsPercent: smallint("spend_warning_thresholds_percent")
      .array()
      .notNull()
      .default(sql`'{50,80,100}'`),
    stripeSubscriptionId: text("stripe_subscription_id").unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // At most one live subscription per customer; ended ones stay as history.
    uniqueIndex("subscriptions_one_live_per_customer")
      .on(table.customerId)
      .where(sql`${table.status} <> 'canceled'`),
    index("subscriptions_plan_version_idx").on(table.planVersionId),
    check("subscriptions_seats", sql`${table.seats} between 1 and 100000`),
    check("subscriptions_spend_limit", sql`${table.spendLimitMicros} is null or ${table.spendLimitMicros} >= 0`),
    check(
      "subscriptions_spend_warning_thresholds",
      sql`cardinality(${table.spendWarningThresholdsPercent}) <= 10 and 1 <= all(${table.spendWarningThresholdsPercent}) and 1000 >= all(${table.spendWarningThresholdsPercent})`,
    ),
  ],
);

export type Subscription = typeof subscriptions.$inferSelect;
