import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { actorTypes } from "./audit";
import { customers } from "./customers";

/**
 * The double-entry ledger. Sign convention, everywhere below:
 * - an entry's `amount` is signed: a debit is positive, a credit negative, never zero;
 * - asset and expense accounts are debit-normal (balance = debits - credits),
 *   liability, revenue and equity accounts credit-normal (balance = credits - debits);
 * - a `non_negative` account's available balance on its normal side never goes below zero.
 * Triggers and the balance check live in the `ledger_invariants` migration.
 */
export const ledgerAccountKinds = ["asset", "liability", "revenue", "expense", "equity"] as const;
export type LedgerAccountKind = (typeof ledgerAccountKinds)[number];

export const ledgerTransactionKinds = [
  "usage_accrual",
  "credit_grant",
  "credit_burn",
  "credit_expiry",
  "invoice",
  "payment",
  "refund",
  "payout",
  "adjustment",
  "reversal",
  "write_off",
  "proration",
  "rounding",
  "hold",
] as const;
export type LedgerTransactionKind = (typeof ledgerTransactionKinds)[number];

export const ledgerTransactionStatuses = ["pending", "posted", "voided", "expired"] as const;
export type LedgerTransactionStatus = (typeof ledgerTransactionStatuses)[number];

/** `pending` reserves (a hold); `release` undoes a hold when it is posted, voided or expires. */
export const ledgerEntryPhases = ["posted", "pending", "release"] as const;
export type LedgerEntryPhase = (typeof ledgerEntryPhases)[number];

const money = (name: string) => bigint(name, { mode: "bigint" });

export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stable, human-readable identity, e.g. `customer:<id>:grant:<grantId>`; accounts are created by code. */
    code: text("code").notNull(),
    kind: text("kind", { enum: ledgerAccountKinds }).notNull(),
    currency: text("currency").notNull(),
    customerId: uuid("customer_id").references(() => customers.id),
    /** The normal-side available balance may never go below zero (grants). Such accounts are locked when posted to. */
    nonNegative: boolean("non_negative").notNull().default(false),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    closed: boolean("closed").notNull().default(false),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique("ledger_accounts_code_key").on(table.code),
    // Target of the entries' (account_id, currency) foreign key: an entry's currency is its account's.
    unique("ledger_accounts_id_currency_key").on(table.id, table.currency),
    index("ledger_accounts_customer_idx").on(table.customerId).where(sql`${table.customerId} is not null`),
    // The console list's sorts, alone and after its kind filter, and its currency filter's values.
    index("ledger_accounts_code_sort_idx").on(table.code, table.id),
    index("ledger_accounts_created_sort_idx").on(table.createdAt, table.id),
    index("ledger_accounts_kind_code_idx").on(table.kind, table.code, table.id),
    index("ledger_accounts_kind_created_idx").on(table.kind, table.createdAt, table.id),
    index("ledger_accounts_currency_idx").on(table.currency),
    check("ledger_accounts_currency_check", sql`${table.currency} ~ '^[a-z]{3}$'`),
  ],
);

/**
 * One row per account. For `non_negative` accounts it is the live balance, locked and updated by
 * every posting (its CHECK is the database's guard against overdraft). For every other account it
 * is a snapshot that `compactBalances` folds `ledger_balance_deltas` into, so hot platform accounts
 * are never locked by posting. Debits and credits are kept apart, as in TigerBeetle.
 */
export const ledgerBalances = pgTable(
  "ledger_balances",
  {
    accountId: uuid("account_id")
      .primaryKey()
      .references(() => ledgerAccounts.id),
    /** `debit` or `credit` when the account is non-negative on that side, else null. */
    nonNegativeSide: text("non_negative_side", { enum: ["debit", "credit"] }),
    postedDebits: money("posted_debits").notNull().default(sql`0`),
    postedCredits: money("posted_credits").notNull().default(sql`0`),
    pendingDebits: money("pending_debits").notNull().default(sql`0`),
    pendingCredits: money("pending_credits").notNull().default(sql`0`),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check(
      "ledger_balances_totals_check",
      sql`${table.postedDebits} >= 0 and ${table.postedCredits} >= 0 and ${table.pendingDebits} >= 0 and ${table.pendingCredits} >= 0`,
    ),
    check(
      "ledger_balances_non_negative_check",
      sql`(${table.nonNegativeSide} is distinct from 'credit' or ${table.postedCredits} - ${table.postedDebits} - ${table.pendingDebits} >= 0)
      and (${table.nonNegativeSide} is distinct from 'debit' or ${table.postedDebits} - ${table.postedCredits} - ${table.pendingCredits} >= 0)`,
    ),
  ],
);

/** Per-batch balance changes of accounts that are not locked; appended without contention, folded by compaction. */
export const ledgerBalanceDeltas = pgTable(
  "ledger_balance_deltas",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid("account_id").notNull(),
    postedDebits: money("posted_debits").notNull(),
    postedCredits: money("posted_credits").notNull(),
    pendingDebits: money("pending_debits").notNull(),
    pendingCredits: money("pending_credits").notNull(),
  },
  (table) => [index("ledger_balance_deltas_account_idx").on(table.accountId)],
);

export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    /** UUIDv7 (time-ordered), generated by the poster. */
    id: uuid("id").primaryKey(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** sha256 of the canonical input: same key + same hash = `exists`, else `exists_with_different_content`. */
    contentHash: text("content_hash").notNull(),
    kind: text("kind", { enum: ledgerTransactionKinds }).notNull(),
    status: text("status", { enum: ledgerTransactionStatuses }).notNull(),
    effectiveAt: timestamp("effective_at", { withTimezone: true }).notNull(),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull(),
    description: text("description").notNull().default(""),
    customerId: uuid("customer_id"),
    invoiceId: text("invoice_id"),
    grantId: text("grant_id"),
    stripeObjectId: text("stripe_object_id"),
    actorType: text("actor_type", { enum: actorTypes }).notNull(),
    actorId: text("actor_id").notNull(),
    /** A hold's deadline; `expireHolds` voids it after this. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** Set when a pending transaction is posted, voided or expired (the only change a transaction may undergo). */
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** On the transaction that posts, voids or expires a hold. Unique: a hold is resolved once. */
    pendingTransactionId: uuid("pending_transaction_id"),
    /** On a reversal. Unique: a transaction is reversed once. */
    reversesTransactionId: uuid("reverses_transaction_id"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [
    uniqueIndex("ledger_transactions_idempotency_key_idx").on(table.idempotencyKey),
    uniqueIndex("ledger_transactions_pending_idx")
      .on(table.pendingTransactionId)
      .where(sql`${table.pendingTransactionId} is not null`),
    uniqueIndex("ledger_transactions_reverses_idx")
      .on(table.reversesTransactionId)
      .where(sql`${table.reversesTransactionId} is not null`),
    index("ledger_transactions_expiry_idx").on(table.expiresAt).where(sql`${table.status} = 'pending'`),
    index("ledger_transactions_customer_idx").on(table.customerId, table.effectiveAt),
    // A stretch's transactions read together for period activity (revenue, the close): posting order
    // follows effective time closely, so a BRIN finds a month's rows for next to no upkeep per posting.
    index("ledger_transactions_effective_brin").using("brin", table.effectiveAt),
    foreignKey({ name: "ledger_transactions_pending_fk", columns: [table.pendingTransactionId], foreignColumns: [table.id] }),
    foreignKey({ name: "ledger_transactions_reverses_fk", columns: [table.reversesTransactionId], foreignColumns: [table.id] }),
    check("ledger_transactions_key_check", sql`length(${table.idempotencyKey}) between 1 and 200`),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    /** References ledger_transactions(id); checked set-based per statement by a trigger, not a row-by-row foreign key. */
    transactionId: uuid("transaction_id").notNull(),
    /** With `currency`, references ledger_accounts(id, currency) (same trigger): an entry's currency is its account's. */
    accountId: uuid("account_id").notNull(),
    currency: text("currency").notNull(),
    /** Signed micro-units: debit > 0, credit < 0. */
    amount: money("amount").notNull(),
    phase: text("phase", { enum: ledgerEntryPhases }).notNull(),
    /** Copied from the transaction so balances as of a time read one index. */
    effectiveAt: timestamp("effective_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("ledger_entries_account_idx").on(table.accountId, table.effectiveAt, table.id),
    // The statement sorted by size.
    index("ledger_entries_account_amount_idx").on(table.accountId, sql`abs(${table.amount})`, table.id),
    index("ledger_entries_transaction_idx").on(table.transactionId),
    index("ledger_entries_effective_idx").on(table.effectiveAt, table.id),
    check("ledger_entries_amount_check", sql`${table.amount} <> 0`),
  ],
);

export type LedgerAccount = typeof ledgerAccounts.$inferSelect;
export type LedgerTransaction = typeof ledgerTransactions.$inferSelect;
export type LedgerEntry = typeof ledgerEntries.$inferSelect;
