import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Accounting periods (reports domain): calendar months in UTC, closed in order. Closed months are
 * always a prefix of time, so "closed through" is one instant: the end of the latest closed month.
 * The `ledger_closed_periods` migration makes the database refuse any ledger transaction or entry
 * effective before that instant (the poster moves such postings into the next open period first).
 * A month is reopened (admin, with a reason) only while no later month is closed.
 */
export const accountingPeriodStatuses = ["closed", "reopened"] as const;
export type AccountingPeriodStatus = (typeof accountingPeriodStatuses)[number];

const money = (name: string) => bigint(name, { mode: "bigint" });

export type AccountingPeriodSummary = {
  /** Per currency, the trial balance at the period's end. */
  trialBalance: Array<{ currency: string; debits: string; credits: string }>;
  accounts: number;
  checks: Array<{ code: string; ok: boolean; message: string }>;
};

export const accountingPeriods = pgTable(
  "accounting_periods",
  {
    /** First instant of the month (UTC); the month is [period_start, period_end). */
    periodStart: timestamp("period_start", { withTimezone: true }).primaryKey(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    status: text("status", { enum: accountingPeriodStatuses }).notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }).notNull(),
    closedBy: text("closed_by").notNull(),
    closedByLabel: text("closed_by_label").notNull(),
    reopenedAt: timestamp("reopened_at", { withTimezone: true }),
    reopenedBy: text("reopened_by"),
    reopenedByLabel: text("reopened_by_label"),
    reopenReason: text("reopen_reason"),
    /** How many times the month was closed (1 unless it was reopened). */
    closeCount: integer("close_count").notNull().default(1),
    summary: jsonb("summary").$type<AccountingPeriodSummary>().notNull(),
  },
  (table) => [
    check("accounting_periods_month_check", sql`${table.periodStart} = date_trunc('month', ${table.periodStart} at time zone 'UTC') at time zone 'UTC'
      and ${table.periodEnd} = (${table.periodStart} at time zone 'UTC' + interval '1 month') at time zone 'UTC'`),
    check("accounting_periods_reopen_check", sql`${table.status} = 'closed' or (${table.reopenedAt} is not null and ${table.reopenReason} is not null)`),
  ],
);

/**
 * Balance snapshots written when a month closes: per account, the posted totals as of the month's
 * end (cumulative) and the month's own movement. An as-of report starts from the nearest snapshot
 * and adds (or takes away) the entries between it and the date, never all of history.
 * Checked against the entries by `ledger:verify`; removed when the month is reopened.
 */
export const ledgerPeriodBalances = pgTable(
  "ledger_period_balances",
  {
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    accountId: uuid("account_id").notNull(),
    currency: text("currency").notNull(),
    postedDebits: money("posted_debits").notNull(),
    postedCredits: money("posted_credits").notNull(),
    periodDebits: money("period_debits").notNull(),
    periodCredits: money("period_credits").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.periodStart, table.accountId] }),
    index("ledger_period_balances_account_idx").on(table.accountId, table.periodStart),
  ],
);

/**
 * A closed month's movement per account, transaction kind, plan and revenue class: what the
 * period reports (revenue, credits roll-forward) read for closed months instead of the entries.
 * `plan_key` is the plan of the invoice a transaction belongs to ('' when none); `revenue_class`
 * splits usage revenue into `usage` and `overage` (usage past an included allowance), '' elsewhere.
 */
export const ledgerPeriodActivity = pgTable(
  "ledger_period_activity",
  {
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    accountId: uuid("account_id").notNull(),
    currency: text("currency").notNull(),
    kind: text("kind").notNull(),
    planKey: text("plan_key").notNull(),
    revenueClass: text("revenue_class").notNull(),
    debits: money("debits").notNull(),
    credits: money("credits").notNull(),
  },
  (table) => [primaryKey({ columns: [table.periodStart, table.accountId, table.kind, table.planKey, table.revenueClass] })],
);

/**
 * Open receivable items at a closed month's end, per customer receivable account: what aging
 * starts from. An item is an invoice (Tally's id), a paid-credit purchase (`grant:<id>`), a
 * Stripe object that matches no invoice (`stripe:<id>`) or a lone transaction (`tx:<id>`).
 */
export const ledgerPeriodOpenItems = pgTable(
  "ledger_period_open_items",
  {
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    accountId: uuid("account_id").notNull(),
    itemKey: text("item_key").notNull(),
    /** Debit-positive open amount (a negative item is unapplied cash). */
    amount: money("amount").notNull(),
    /** When the item first took effect (an invoice's posting). */
    datedAt: timestamp("dated_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.periodStart, table.accountId, table.itemKey] })],
);

export type AccountingPeriod = typeof accountingPeriods.$inferSelect;
