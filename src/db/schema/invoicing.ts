import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { planVersions } from "./catalog";
import { customers } from "./customers";
import { subscriptions } from "./subscriptions";

/**
 * `period`: end-of-period invoice; `threshold`: mid-period, when unbilled usage passed the threshold; `proration`: plan changes (Stripe work);
 * `opening`: the first billed period's base fee in advance (Stripe's `subscription_create` invoice), once per subscription;
 * `credit_purchase`: prepaid (paid) credit bought by the customer, billed on its own Stripe invoice (purchaseCredits).
 */
export const invoiceKinds = ["period", "threshold", "proration", "opening", "credit_purchase"] as const;
export type InvoiceKind = (typeof invoiceKinds)[number];

export const invoiceStatuses = ["draft", "finalized", "paid", "void", "uncollectible"] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export const invoiceLineKinds = ["base_fee", "usage", "late_usage", "discount", "credit", "proration", "credit_purchase"] as const;
export type InvoiceLineKind = (typeof invoiceLineKinds)[number];

const money = (name: string) => bigint(name, { mode: "bigint" });

/**
 * Tally's invoice (invoicing domain): what the customer owes for one subscription, one period
 * and one kind. `(subscription_id, period_start, kind, sequence)` is unique, so closing a period
 * twice, or from two processes at once, creates it once (`sequence` is 0 for period invoices and
 * counts threshold / proration invoices within a period). Amounts are kept in micro-units and in
 * the currency's minor unit (cents): each line is rounded to cents once (half-even), the totals
 * are sums of lines, and `rounding_micros` (= total_micros − total_cents × 10,000) is what was
 * posted to the `rounding` ledger account.
 */
export const invoices = pgTable(
  "invoices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** `TLY-000001`, gapless, assigned when the invoice is finalized; null while draft. */
    number: text("number"),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    planVersionId: uuid("plan_version_id")
      .notNull()
      .references(() => planVersions.id),
    kind: text("kind", { enum: invoiceKinds }).notNull(),
    sequence: integer("sequence").notNull().default(0),
    status: text("status", { enum: invoiceStatuses }).notNull(),
    currency: text("currency").notNull(),
    /** The usage period [start, end) this invoice belongs to (a threshold invoice's end is its cut-off). */
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    subtotalMicros: money("subtotal_micros").notNull(),
    discountMicros: money("discount_micros").notNull(),
    creditMicros: money("credit_micros").notNull(),
    totalMicros: money("total_micros").notNull(),
    subtotalCents: money("subtotal_cents").notNull(),
    discountCents: money("discount_cents").notNull(),
    creditCents: money("credit_cents").notNull(),
    totalCents: money("total_cents").notNull(),
    roundingMicros: money("rounding_micros").notNull(),
    /** Set by the Stripe sync when the lines are on Stripe's invoice. */
    stripeInvoiceId: text("stripe_invoice_id"),
    /** The ledger transactions this invoice posted (accrual, invoice), for reconciliation. */
    ledgerTransactionIds: jsonb("ledger_transaction_ids").$type<string[]>().notNull().default([]),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    finalizedAt: timestamp("finalized_at", { withTimezone: true }),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    voidedAt: timestamp("voided_at", { withTimezone: true }),
    /** When Stripe marked the linked invoice uncollectible (status follows Stripe's). */
    uncollectibleAt: timestamp("uncollectible_at", { withTimezone: true }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("invoices_subscription_period_kind_key").on(table.subscriptionId, table.periodStart, table.kind, table.sequence),
    uniqueIndex("invoices_number_key").on(table.number),
    uniqueIndex("invoices_stripe_invoice_key").on(table.stripeInvoiceId),
    /** One opening invoice per subscription. */
    uniqueIndex("invoices_opening_key").on(table.subscriptionId).where(sql`${table.kind} = 'opening'`),
    index("invoices_customer_idx").on(table.customerId, table.periodStart),
    index("invoices_issued_idx").on(table.issuedAt, table.id),
    // The console's invoice list (src/server/invoicing/list-invoices-view.ts): one index per sort, and per filter + sort.
    index("invoices_number_sort_idx").on(sql`coalesce(${table.number}, '')`, table.id),
    index("invoices_total_idx").on(table.totalMicros, table.id),
    index("invoices_period_idx").on(table.periodStart, table.id),
    index("invoices_status_idx").on(table.status, table.id),
    index("invoices_status_issued_idx").on(table.status, table.issuedAt, table.id),
    index("invoices_status_total_idx").on(table.status, table.totalMicros, table.id),
    index("invoices_status_period_idx").on(table.status, table.periodStart, table.id),
    index("invoices_status_number_idx").on(table.status, sql`coalesce(${table.number}, '')`, table.id),
    index("invoices_kind_issued_idx").on(table.kind, table.issuedAt, table.id),
    check("invoices_number_check", sql`(${table.status} = 'draft') = (${table.number} is null)`),
    check("invoices_period_check", sql`${table.periodEnd} > ${table.periodStart}`),
    check("invoices_total_check", sql`${table.totalMicros} = ${table.subtotalMicros} - ${table.discountMicros} - ${table.creditMicros}`),
    check("invoices_total_cents_check", sql`${table.totalCents} = ${table.subtotalCents} - ${table.discountCents} - ${table.creditCents}`),
    check("invoices_rounding_check", sql`${table.roundingMicros} = ${table.totalMicros} - ${table.totalCents} * 10000`),
    check("invoices_sequence_check", sql`${table.sequence} >= 0 and (${table.kind} <> 'period' or ${table.sequence} = 0)`),
  ],
);

/** A readable tier of a usage line: the pricing engine's line (amounts as strings). */
export type InvoiceLineTier = {
  kind: string;
  tier: number | null;
  from: string;
  to: string | null;
  quantity: string;
  unitPrice: string | null;
  packageSize: string | null;
  packages: string | null;
  packagePrice: string | null;
  flatAmountMicros: string;
  amountMicros: string;
};

/**
 * One line a customer can read. Usage lines carry the meter, the dimension group (e.g.
 * `{ model: "opus" }`), the quantity used in the period, the allowance applied to it, the
 * quantity billed on this line and the pricing engine's tier breakdown. Discounts and credits
 * are negative lines. `amount_cents` is `amount_micros` rounded half-even to cents, once.
 */
export const invoiceLines = pgTable(
  "invoice_lines",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    position: integer("position").notNull(),
    kind: text("kind", { enum: invoiceLineKinds }).notNull(),
    description: text("description").notNull(),
    productKey: text("product_key"),
    meterKey: text("meter_key"),
    dimensions: jsonb("dimensions").$type<Record<string, string>>().notNull().default({}),
    /** The service period of this line (base fee: the next period, billed in advance; late usage: the earlier period). */
    servicePeriodStart: timestamp("service_period_start", { withTimezone: true }).notNull(),
    servicePeriodEnd: timestamp("service_period_end", { withTimezone: true }).notNull(),
    /** Usage lines: the group's quantity in the service period so far (exact decimal). */
    usageQuantity: numeric("usage_quantity"),
    allowanceQuantity: numeric("allowance_quantity"),
    /** Units charged on this line (seats for the base fee). */
    quantity: numeric("quantity"),
    /** Major units per unit when one price applies (per-unit lines, base fee per seat). */
    unitPrice: numeric("unit_price"),
    tiers: jsonb("tiers").$type<InvoiceLineTier[]>().notNull().default([]),
    amountMicros: money("amount_micros").notNull(),
    amountCents: money("amount_cents").notNull(),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [
    uniqueIndex("invoice_lines_position_key").on(table.invoiceId, table.position),
    check("invoice_lines_sign_check", sql`${table.kind} not in ('discount', 'credit') or ${table.amountMicros} <= 0`),
  ],
);

/**
 * What has been billed so far per (subscription, usage period, meter, rating group): the next
 * invoice for the same period (threshold → period end, or late usage after the close) bills only
 * the difference, rated as `rate(billable now) − rate(billable billed)`, so split billing equals
 * whole-period billing exactly. `group_key` is the value of the price's override dimension
 * (e.g. the model), or '' when the meter is rated as one group.
 */
export const billedUsage = pgTable(
  "billed_usage",
  {
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    meterKey: text("meter_key").notNull(),
    groupKey: text("group_key").notNull(),
    dimensions: jsonb("dimensions").$type<Record<string, string>>().notNull(),
    /** The group's metered quantity when last billed. */
    usageQuantity: numeric("usage_quantity").notNull(),
    /** After the allowance: what was rated. */
    billableQuantity: numeric("billable_quantity").notNull(),
    amountMicros: money("amount_micros").notNull(),
    lastInvoiceId: uuid("last_invoice_id")
      .notNull()
      .references(() => invoices.id),
    billedAt: timestamp("billed_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.subscriptionId, table.periodStart, table.meterKey, table.groupKey] }),
    index("billed_usage_recent_idx").on(table.subscriptionId, table.periodEnd),
  ],
);

/** Gapless invoice numbers: one row per series, incremented inside the transaction that finalizes. */
export const invoiceNumberCounters = pgTable("invoice_number_counters", {
  series: text("series").primaryKey(),
  lastNumber: bigint("last_number", { mode: "number" }).notNull().default(0),
});

/**
 * Billing settings: the row `global` and optionally one per plan version (`key` = its id).
 * `threshold_micros`: invoice unbilled usage at once when it passes this amount (null = no
 * threshold billing). `closes_from` (global only): periods ending before it are not closed by
 * Tally (history billed before Tally took over).
 */
export const billingSettings = pgTable(
  "billing_settings",
  {
    key: text("key").primaryKey(),
    thresholdMicros: money("threshold_micros"),
    closesFrom: timestamp("closes_from", { withTimezone: true }),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check("billing_settings_threshold_check", sql`${table.thresholdMicros} is null or ${table.thresholdMicros} > 0`)],
);

export type Invoice = typeof invoices.$inferSelect;
export type InvoiceLine = typeof invoiceLines.$inferSelect;
export type BilledUsage = typeof billedUsage.$inferSelect;
