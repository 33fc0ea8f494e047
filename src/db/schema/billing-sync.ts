import { sql } from "drizzle-orm";
import { bigint, check, index, numeric, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { invoiceLines, invoices } from "./invoicing";
import { subscriptions } from "./subscriptions";

/**
 * The billing-sync domain's tables (src/server/billing-sync): what Tally pushed to Stripe, and what
 * it found when it compared Stripe's finalized invoice with its own.
 */

/** One Tally invoice line on Stripe: the invoice item made from it (at most one per line). */
export const stripeInvoiceItemLinks = pgTable(
  "stripe_invoice_item_links",
  {
    invoiceLineId: uuid("invoice_line_id")
      .primaryKey()
      .references(() => invoiceLines.id),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    stripeInvoiceItemId: text("stripe_invoice_item_id").notNull(),
    /** The draft invoice it was added to; null when it was created pending (joins the next renewal). */
    stripeInvoiceId: text("stripe_invoice_id"),
    /** Minor units sent. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    pushedAt: timestamp("pushed_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("stripe_invoice_item_links_invoice_idx").on(table.invoiceId)],
);

/** A usage quantity sent to Stripe as a meter event (identifier = Stripe's dedupe key). */
export const stripeMeterEventSends = pgTable(
  "stripe_meter_event_sends",
  {
    identifier: text("identifier").primaryKey(),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    meterKey: text("meter_key").notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    value: numeric("value").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("stripe_meter_event_sends_invoice_idx").on(table.invoiceId)],
);

/** The last comparison of a Tally invoice with its finalized Stripe invoice. */
export const stripeInvoiceChecks = pgTable("stripe_invoice_checks", {
  invoiceId: uuid("invoice_id")
    .primaryKey()
    .references(() => invoices.id),
  stripeInvoiceId: text("stripe_invoice_id").notNull(),
  stripeStatus: text("stripe_status").notNull(),
  /** Stripe's total, minor units. */
  stripeTotal: bigint("stripe_total", { mode: "bigint" }).notNull(),
  discrepancies: bigint("discrepancies", { mode: "number" }).notNull(),
  checkedAt: timestamp("checked_at", { withTimezone: true }).notNull(),
});

/**
 * A difference between Tally's invoice and Stripe's (one per invoice and field): `total`,
 * `line:<invoice line id>` (amount), `line_missing:<id>` (not on Stripe's invoice) or
 * `stripe_line:<Stripe line id>` (a line Stripe has and Tally does not). Values are minor units.
 * A later comparison that agrees removes the row; `detected_at` keeps the first detection.
 */
export const invoiceDiscrepancies = pgTable(
  "invoice_discrepancies",
  {
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    field: text("field").notNull(),
    stripeInvoiceId: text("stripe_invoice_id").notNull(),
    description: text("description").notNull(),
    tallyValue: bigint("tally_value", { mode: "bigint" }),
    stripeValue: bigint("stripe_value", { mode: "bigint" }),
    detectedAt: timestamp("detected_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.invoiceId, table.field] }),
    check("invoice_discrepancies_values", sql`${table.tallyValue} is not null or ${table.stripeValue} is not null`),
  ],
);

export type StripeInvoiceCheck = typeof stripeInvoiceChecks.$inferSelect;
export type InvoiceDiscrepancy = typeof invoiceDiscrepancies.$inferSelect;
