import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/*
 * The reconciliation domain's tables (src/server/reconciliation): each run, each discrepancy
 * between two books that must agree, and invoice accuracy per month. Nothing here is deleted
 * (a trigger refuses it): a discrepancy that clears is marked resolved with the time.
 */

export const reconciliationRuns = pgTable("reconciliation_runs", {
  id: uuid("id").primaryKey().defaultRandom(),
  requestId: text("request_id"),
  /** The usage window checked for period-scoped kinds, [start, end). */
  periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
  periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  kinds: text("kinds").array().notNull(),
  found: integer("found").notNull().default(0),
  opened: integer("opened").notNull().default(0),
  resolved: integer("resolved").notNull().default(0),
  summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default({}),
});

export const discrepancyStatuses = ["open", "resolved"] as const;
export type DiscrepancyStatus = (typeof discrepancyStatuses)[number];

export const reconciliationDiscrepancies = pgTable(
  "reconciliation_discrepancies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    /** Identity: the kind and the objects compared; one open row per key. */
    key: text("key").notNull(),
    status: text("status", { enum: discrepancyStatuses }).notNull().default("open"),
    customerId: uuid("customer_id"),
    invoiceId: uuid("invoice_id"),
    /** The objects compared, by name (`invoiceId`, `stripeInvoiceId`, `accountCode`, `grantId`, `meterId`, ...). */
    objects: jsonb("objects").$type<Record<string, string>>().notNull().default({}),
    /** `micros` (money, micro-units of `currency`), `cents` (money, minor units), `events`, `quantity`, `count`. */
    unit: text("unit").notNull(),
    currency: text("currency"),
    /** Exact decimals: what the first book says, what the second says, actual − expected. */
    expected: numeric("expected").notNull(),
    actual: numeric("actual").notNull(),
    difference: numeric("difference").notNull(),
    /** |difference| in micro-units for money kinds (cents × 10,000), 0 for counts. */
    amountMicros: bigint("amount_micros", { mode: "bigint" }).notNull().default(sql`0`),
    description: text("description").notNull(),
    /** For period-scoped kinds: the window the difference is in. */
    periodStart: timestamp("period_start", { withTimezone: true }),
    periodEnd: timestamp("period_end", { withTimezone: true }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    firstRunId: uuid("first_run_id").notNull(),
    lastRunId: uuid("last_run_id").notNull(),
  },
  (table) => [
    uniqueIndex("reconciliation_discrepancies_open_key").on(table.key).where(sql`${table.status} = 'open'`),
    index("reconciliation_discrepancies_status_idx").on(table.status, table.kind, table.firstSeenAt),
    index("reconciliation_discrepancies_invoice_idx").on(table.invoiceId),
    index("reconciliation_discrepancies_customer_idx").on(table.customerId),
    check("reconciliation_discrepancies_status_check", sql`${table.status} in ('open', 'resolved') and (${table.status} = 'resolved') = (${table.resolvedAt} is not null)`),
    check("reconciliation_discrepancies_amount_check", sql`${table.amountMicros} >= 0`),
  ],
);

/**
 * Invoice accuracy per month of period invoices (by period start): how many matched Stripe's
 * invoice to the cent at the first comparison, after a correction (a credit note or a fixed
 * push), or never; and the amount corrected by credit notes. Recomputed by each run.
 */
export const invoiceAccuracy = pgTable("invoice_accuracy", {
  month: timestamp("month", { withTimezone: true }).primaryKey(),
  invoices: integer("invoices").notNull(),
  exactFirstAttempt: integer("exact_first_attempt").notNull(),
  exactAfterCorrection: integer("exact_after_correction").notNull(),
  never: integer("never").notNull(),
  /** Not yet compared with Stripe (not pushed or not finalized there). */
  notCompared: integer("not_compared").notNull(),
  correctedMicros: bigint("corrected_micros", { mode: "bigint" }).notNull(),
  computedAt: timestamp("computed_at", { withTimezone: true }).notNull(),
});

export type ReconciliationDiscrepancy = typeof reconciliationDiscrepancies.$inferSelect;
export type ReconciliationRun = typeof reconciliationRuns.$inferSelect;
export type InvoiceAccuracy = typeof invoiceAccuracy.$inferSelect;
