import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";
import { roles } from "./roles";

export const grantCategories = ["promotional", "goodwill", "paid"] as const;
export type GrantCategory = (typeof grantCategories)[number];

export const grantSources = ["promotion", "support", "purchase", "migration"] as const;
export type GrantSource = (typeof grantSources)[number];

/** `all` usage, or only the listed product keys, or only the listed meter keys. */
export const grantScopes = ["all", "products", "meters"] as const;
export type GrantScope = (typeof grantScopes)[number];

const money = (name: string) => bigint(name, { mode: "bigint" });

/**
 * A credit grant (grants domain). The row is the grant's definition and never changes except
 * `expired_at` (set once by expiry); the remaining balance lives only in the ledger, in the
 * grant's own non-negative account `customer:<customer>:grant:<id>`.
 */
export const creditGrants = pgTable(
  "credit_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    amountMicros: money("amount_micros").notNull(),
    currency: text("currency").notNull(),
    category: text("category", { enum: grantCategories }).notNull(),
    appliesTo: text("applies_to", { enum: grantScopes }).notNull().default("all"),
    productKeys: text("product_keys").array().notNull().default(sql`'{}'::text[]`),
    meterKeys: text("meter_keys").array().notNull().default(sql`'{}'::text[]`),
    effectiveAt: timestamp("effective_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** Lower burns first. */
    priority: integer("priority").notNull().default(100),
    source: text("source", { enum: grantSources }).notNull(),
    /** Promotion redemption id, credit request id, invoice id, ... */
    sourceReference: text("source_reference").notNull().default(""),
    reason: text("reason").notNull().default(""),
    /** The caller's idempotency key: issuing twice with it returns the first grant. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** Set in the issuing transaction, right after the row is inserted (the row claims the idempotency key first). */
    ledgerAccountId: uuid("ledger_account_id"),
    ledgerTransactionId: uuid("ledger_transaction_id"),
    /** When expiry moved the remainder out (once). */
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("credit_grants_idempotency_key_idx").on(table.idempotencyKey),
    index("credit_grants_customer_idx").on(table.customerId, table.currency),
    // A customer's credits page (list-customer-grants-view.ts): by grant time or start, keyset-paged within the customer.
    index("credit_grants_customer_created_idx").on(table.customerId, table.createdAt, table.id),
    index("credit_grants_customer_effective_idx").on(table.customerId, table.effectiveAt, table.id),
    index("credit_grants_expiry_idx").on(table.expiresAt).where(sql`${table.expiredAt} is null and ${table.expiresAt} is not null`),
    index("credit_grants_source_idx").on(table.source, table.sourceReference),
    check("credit_grants_amount_check", sql`${table.amountMicros} > 0 and ${table.amountMicros} <= 1000000000000000`),
    check("credit_grants_currency_check", sql`${table.currency} ~ '^[a-z]{3}$'`),
    check("credit_grants_window_check", sql`${table.expiresAt} is null or ${table.expiresAt} > ${table.effectiveAt}`),
    check(
      "credit_grants_scope_check",
      sql`(${table.appliesTo} = 'all' and cardinality(${table.productKeys}) = 0 and cardinality(${table.meterKeys}) = 0)
       or (${table.appliesTo} = 'products' and cardinality(${table.productKeys}) > 0 and cardinality(${table.meterKeys}) = 0)
       or (${table.appliesTo} = 'meters' and cardinality(${table.meterKeys}) > 0 and cardinality(${table.productKeys}) = 0)`,
    ),
    check("credit_grants_priority_check", sql`${table.priority} between 0 and 1000000`),
  ],
);

export const creditRequestStatuses = ["issued", "pending", "approved", "rejected"] as const;
export type CreditRequestStatus = (typeof creditRequestStatuses)[number];

/**
 * A person's request for a goodwill credit. Within the requester's limit it is `issued` at once;
 * above it, `pending` until a different finance or admin user approves (→ `approved`, with the
 * grant) or rejects it. `request_key` is the console's request id: the same id returns this row.
 */
export const creditRequests = pgTable(
  "credit_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestKey: text("request_key").notNull(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    amountMicros: money("amount_micros").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    status: text("status", { enum: creditRequestStatuses }).notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedByLabel: text("requested_by_label").notNull(),
    requesterRole: text("requester_role", { enum: roles }).notNull(),
    /** The requester's limit when they asked (for the approver's context). */
    limitMicros: money("limit_micros").notNull(),
    decidedBy: text("decided_by"),
    decidedByLabel: text("decided_by_label"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionNote: text("decision_note"),
    grantId: uuid("grant_id").references(() => creditGrants.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("credit_requests_request_key_idx").on(table.requestKey),
    index("credit_requests_pending_idx").on(table.createdAt).where(sql`${table.status} = 'pending'`),
    index("credit_requests_customer_idx").on(table.customerId, table.createdAt),
    // The approvals list (list-credit-requests-view.ts): one status, by request time or amount, keyset-paged.
    index("credit_requests_status_created_idx").on(table.status, table.createdAt, table.id),
    index("credit_requests_status_amount_idx").on(table.status, table.amountMicros, table.id),
    check("credit_requests_amount_check", sql`${table.amountMicros} > 0`),
    check("credit_requests_grant_check", sql`(${table.status} in ('issued', 'approved')) = (${table.grantId} is not null)`),
    check("credit_requests_maker_checker", sql`${table.decidedBy} is null or ${table.decidedBy} <> ${table.requestedBy}`),
  ],
);

/** Per role, the largest goodwill credit one person may issue without approval. A missing row = the default in code. */
export const creditLimits = pgTable(
  "credit_limits",
  {
    role: text("role", { enum: roles }).primaryKey(),
    limitMicros: money("limit_micros").notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check("credit_limits_limit_check", sql`${table.limitMicros} >= 0`)],
);

export type BurnAllocation = { grantId: string; amountMicros: string };

/**
 * One burn request (billing asks "cover this usage with credits"), by idempotency key: the first
 * call decides and records the allocation; every retry returns it, even when nothing was covered.
 */
export const creditBurns = pgTable(
  "credit_burns",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    currency: text("currency").notNull(),
    amountMicros: money("amount_micros").notNull(),
    coveredMicros: money("covered_micros").notNull(),
    productKey: text("product_key"),
    meterKey: text("meter_key"),
    at: timestamp("at", { withTimezone: true }).notNull(),
    allocations: jsonb("allocations").$type<BurnAllocation[]>().notNull(),
    ledgerTransactionId: uuid("ledger_transaction_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("credit_burns_idempotency_key_idx").on(table.idempotencyKey),
    index("credit_burns_customer_idx").on(table.customerId, table.at),
    check("credit_burns_amount_check", sql`${table.amountMicros} > 0 and ${table.coveredMicros} between 0 and ${table.amountMicros}`),
  ],
);

export type CreditGrant = typeof creditGrants.$inferSelect;
export type CreditRequest = typeof creditRequests.$inferSelect;
export type CreditBurn = typeof creditBurns.$inferSelect;
