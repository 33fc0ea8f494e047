import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

export const dunningCaseStatuses = ["open", "recovered", "written_off", "canceled"] as const;
export type DunningCaseStatus = (typeof dunningCaseStatuses)[number];

/**
 * One failed invoice being recovered (dunning domain). Opened by the first
 * `invoice.payment_failed`; closes `recovered` when Stripe says paid, `written_off` when Stripe
 * gives up (subscription `unpaid`, invoice uncollectible), `canceled` when the subscription is
 * canceled for non-payment or the invoice voided. Money is in micro-units of `currency`.
 */
export const dunningCases = pgTable(
  "dunning_cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    stripeInvoiceId: text("stripe_invoice_id").notNull(),
    stripeSubscriptionId: text("stripe_subscription_id"),
    status: text("status", { enum: dunningCaseStatuses }).notNull().default("open"),
    attemptCount: integer("attempt_count").notNull().default(0),
    /** Stripe's `next_payment_attempt`; null when no retry is scheduled. */
    nextRetryAt: timestamp("next_retry_at", { withTimezone: true }),
    amountDueMicros: bigint("amount_due_micros", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    hostedInvoiceUrl: text("hosted_invoice_url"),
    firstFailedAt: timestamp("first_failed_at", { withTimezone: true }).notNull(),
    graceEndsAt: timestamp("grace_ends_at", { withTimezone: true }).notNull(),
    restrictedAt: timestamp("restricted_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    writtenOffMicros: bigint("written_off_micros", { mode: "bigint" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("dunning_cases_invoice").on(table.stripeInvoiceId),
    index("dunning_cases_customer_idx").on(table.customerId, table.createdAt),
    index("dunning_cases_grace_idx").on(table.graceEndsAt).where(sql`${table.status} = 'open' and ${table.restrictedAt} is null`),
    check("dunning_cases_amount", sql`${table.amountDueMicros} >= 0`),
    check("dunning_cases_attempts", sql`${table.attemptCount} >= 0`),
  ],
);

/** A case's timeline; `dedupe_key` makes each fact (attempt n, restriction, …) recorded once. */
export const dunningEvents = pgTable(
  "dunning_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => dunningCases.id),
    kind: text("kind").notNull(),
    attempt: integer("attempt"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    actor: text("actor").notNull(),
    reason: text("reason"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex("dunning_events_dedupe_key").on(table.dedupeKey), index("dunning_events_case_idx").on(table.caseId, table.occurredAt)],
);

export type DunningCase = typeof dunningCases.$inferSelect;
export type DunningEvent = typeof dunningEvents.$inferSelect;
