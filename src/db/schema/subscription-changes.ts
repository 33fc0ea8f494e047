import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { planVersions } from "./catalog";
import { subscriptions } from "./subscriptions";

export const subscriptionChangeStatuses = ["scheduled", "applied", "canceled"] as const;

/**
 * A plan or seat change (customers domain): applied at once (`applied`, kept as history with its
 * proration lines) or scheduled for the period end (`scheduled`, applied by the next change or
 * by `applyScheduledChanges`). At most one scheduled change per subscription.
 */
export const subscriptionScheduledChanges = pgTable(
  "subscription_scheduled_changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    status: text("status", { enum: subscriptionChangeStatuses }).notNull(),
    fromPlanVersionId: uuid("from_plan_version_id")
      .notNull()
      .references(() => planVersions.id),
    toPlanVersionId: uuid("to_plan_version_id")
      .notNull()
      .references(() => planVersions.id),
    fromSeats: integer("from_seats").notNull(),
    toSeats: integer("to_seats").notNull(),
    effectiveAt: timestamp("effective_at", { withTimezone: true }).notNull(),
    /** Tally's proration lines (micro-units as strings) for an immediate change. */
    prorationLines: jsonb("proration_lines").$type<Record<string, unknown>[]>().notNull().default([]),
    reason: text("reason").notNull(),
    /** A period-end change of a Stripe-synced subscription: the Stripe subscription schedule carrying it. */
    stripeScheduleId: text("stripe_schedule_id"),
    createdBy: text("created_by").notNull(),
    appliedAt: timestamp("applied_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("subscription_scheduled_changes_due_idx").on(table.effectiveAt).where(sql`${table.status} = 'scheduled'`),
    index("subscription_scheduled_changes_subscription_idx").on(table.subscriptionId, table.createdAt),
    check("subscription_scheduled_changes_seats", sql`${table.toSeats} between 1 and 100000`),
  ],
);

export type SubscriptionScheduledChange = typeof subscriptionScheduledChanges.$inferSelect;
