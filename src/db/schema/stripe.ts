import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

/**
 * The stripe domain's tables: mirrors of Stripe objects (keyed by Stripe id, with the Tally
 * customer id), the webhook inbox, outbound sync failures and the backfill cursors.
 *
 * Mirrors refuse stale overwrites: a write carries the `created` of the event that caused it and
 * lands only if it is not older than `last_event_created` (see upsert-mirror.ts). Amounts are
 * integers in the currency's minor unit, exactly as Stripe reports them; conversion to Tally's
 * micro-units happens only in src/server/stripe/money.ts.
 */
const mirrorColumns = {
  /** Null when the Stripe object carries no link to a Tally customer (e.g. created in the dashboard). */
  customerId: uuid("customer_id").references(() => customers.id),
  livemode: boolean("livemode").notNull().default(false),
  stripeCreated: timestamp("stripe_created", { withTimezone: true }).notNull(),
  /** `created` of the newest event applied; null when only a sync or backfill wrote the row. */
  lastEventCreated: timestamp("last_event_created", { withTimezone: true }),
  syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
};

export const stripeCustomers = pgTable(
  "stripe_customers",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    email: text("email"),
    name: text("name"),
    defaultPaymentMethodId: text("default_payment_method_id"),
    deleted: boolean("deleted").notNull().default(false),
  },
  (table) => [
    // One Stripe customer per Tally customer: the sync's create is keyed by the Tally id.
    uniqueIndex("stripe_customers_customer_key").on(table.customerId).where(sql`${table.deleted} = false`),
    // Every Stripe customer a Tally customer was linked to, deleted ones too (its webhook events filter).
    index("stripe_customers_customer_idx").on(table.customerId),
  ],
);

export const stripeSubscriptions = pgTable(
  "stripe_subscriptions",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeCustomerId: text("stripe_customer_id").notNull(),
    /** Tally's `subscriptions.id`, from the Stripe subscription's metadata. */
    subscriptionId: uuid("subscription_id"),
    status: text("status").notNull(),
    priceId: text("price_id"),
    quantity: integer("quantity"),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true }),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    trialEnd: timestamp("trial_end", { withTimezone: true }),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (table) => [index("stripe_subscriptions_customer_idx").on(table.customerId)],
);

export const stripeInvoices = pgTable(
  "stripe_invoices",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeCustomerId: text("stripe_customer_id").notNull(),
    stripeSubscriptionId: text("stripe_subscription_id"),
    number: text("number"),
    status: text("status").notNull(),
    billingReason: text("billing_reason"),
    currency: text("currency").notNull(),
    /** Minor units of `currency` (cents; whole units for zero-decimal currencies). */
    total: bigint("total", { mode: "bigint" }).notNull(),
    amountDue: bigint("amount_due", { mode: "bigint" }).notNull(),
    amountPaid: bigint("amount_paid", { mode: "bigint" }).notNull(),
    amountRemaining: bigint("amount_remaining", { mode: "bigint" }).notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }),
    periodEnd: timestamp("period_end", { withTimezone: true }),
    hostedInvoiceUrl: text("hosted_invoice_url"),
    paidAt: timestamp("paid_at", { withTimezone: true }),
  },
  (table) => [index("stripe_invoices_customer_idx").on(table.customerId, table.stripeCreated)],
);

/** Only what a person needs to recognise a card: never the number, never the fingerprint. */
export const stripePaymentMethods = pgTable(
  "stripe_payment_methods",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeCustomerId: text("stripe_customer_id"),
    type: text("type").notNull(),
    brand: text("brand"),
    last4: text("last4"),
    expMonth: integer("exp_month"),
    expYear: integer("exp_year"),
    detached: boolean("detached").notNull().default(false),
  },
  (table) => [index("stripe_payment_methods_customer_idx").on(table.customerId)],
);

/**
 * Payment intents: one per invoice collection (reused by its retries) or one per charge made
 * outside an invoice. `last_error_*` is the latest failed attempt (Stripe's `last_payment_error`).
 */
export const stripePaymentIntents = pgTable(
  "stripe_payment_intents",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeCustomerId: text("stripe_customer_id"),
    /** Minor units of `currency`, as Stripe reports them. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    amountReceived: bigint("amount_received", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    status: text("status").notNull(),
    description: text("description"),
    latestChargeId: text("latest_charge_id"),
    paymentMethodId: text("payment_method_id"),
    lastErrorCode: text("last_error_code"),
    lastErrorDeclineCode: text("last_error_decline_code"),
    lastErrorMessage: text("last_error_message"),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    cancellationReason: text("cancellation_reason"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [index("stripe_payment_intents_customer_idx").on(table.customerId, table.stripeCreated)],
);

/**
 * Charges: every attempt to move money from a card, succeeded or failed, with what a person needs
 * to recognise it (card brand, last 4, expiry: never the number or fingerprint) and why it failed.
 */
export const stripeCharges = pgTable(
  "stripe_charges",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeCustomerId: text("stripe_customer_id"),
    paymentIntentId: text("payment_intent_id"),
    /** Minor units of `currency`. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    amountCaptured: bigint("amount_captured", { mode: "bigint" }).notNull(),
    amountRefunded: bigint("amount_refunded", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    /** succeeded | pending | failed */
    status: text("status").notNull(),
    paid: boolean("paid").notNull(),
    captured: boolean("captured").notNull(),
    refunded: boolean("refunded").notNull(),
    disputed: boolean("disputed").notNull(),
    description: text("description"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    /** The issuer's decline code (`insufficient_funds`), from `outcome.reason`. */
    outcomeReason: text("outcome_reason"),
    outcomeType: text("outcome_type"),
    sellerMessage: text("seller_message"),
    paymentMethodId: text("payment_method_id"),
    paymentMethodType: text("payment_method_type"),
    cardBrand: text("card_brand"),
    cardLast4: text("card_last4"),
    cardExpMonth: integer("card_exp_month"),
    cardExpYear: integer("card_exp_year"),
    receiptUrl: text("receipt_url"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [
    // A customer's payments list, newest first or by amount, keyset-paged on (sort, charge id).
    index("stripe_charges_customer_created_idx").on(table.customerId, table.stripeCreated, table.stripeId),
    index("stripe_charges_customer_amount_idx").on(table.customerId, table.amount, table.stripeId),
    index("stripe_charges_payment_intent_idx").on(table.paymentIntentId),
    index("stripe_charges_created_idx").on(table.stripeCreated),
  ],
);

export const stripeRefunds = pgTable(
  "stripe_refunds",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    chargeId: text("charge_id"),
    paymentIntentId: text("payment_intent_id"),
    /** Minor units of `currency`. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    /** pending | requires_action | succeeded | failed | canceled */
    status: text("status").notNull(),
    reason: text("reason"),
    failureReason: text("failure_reason"),
    description: text("description"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [
    index("stripe_refunds_customer_idx").on(table.customerId, table.stripeCreated),
    index("stripe_refunds_charge_idx").on(table.chargeId),
    index("stripe_refunds_created_idx").on(table.stripeCreated),
  ],
);

/**
 * Which payment paid which invoice (Stripe's `invoice_payment`): since API 2025-03-31 a charge
 * and a payment intent no longer name their invoice, this is the link. An invoice with two
 * `paid` rows was paid twice.
 */
export const stripeInvoicePayments = pgTable(
  "stripe_invoice_payments",
  {
    stripeId: text("stripe_id").primaryKey(),
    ...mirrorColumns,
    stripeInvoiceId: text("stripe_invoice_id").notNull(),
    paymentIntentId: text("payment_intent_id"),
    /** Minor units of `currency`. */
    amountRequested: bigint("amount_requested", { mode: "bigint" }).notNull(),
    amountPaid: bigint("amount_paid", { mode: "bigint" }),
    currency: text("currency").notNull(),
    /** open | paid | canceled */
    status: text("status").notNull(),
    isDefault: boolean("is_default").notNull().default(true),
    paidAt: timestamp("paid_at", { withTimezone: true }),
  },
  (table) => [
    index("stripe_invoice_payments_invoice_idx").on(table.stripeInvoiceId),
    index("stripe_invoice_payments_payment_intent_idx").on(table.paymentIntentId),
  ],
);

/**
 * Stripe payouts: what left the Stripe balance for the bank, when it arrives, and — from the
 * balance transactions it paid out — its gross, Stripe's fees and how many payments and refunds it
 * carried (`amount` = gross − fee for an automatic payout). Account-level: no Tally customer.
 */
export const stripePayouts = pgTable(
  "stripe_payouts",
  {
    stripeId: text("stripe_id").primaryKey(),
    livemode: boolean("livemode").notNull().default(false),
    stripeCreated: timestamp("stripe_created", { withTimezone: true }).notNull(),
    lastEventCreated: timestamp("last_event_created", { withTimezone: true }),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
    /** Minor units of `currency`: what reaches the bank. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    /** pending | in_transit | paid | failed | canceled */
    status: text("status").notNull(),
    arrivalDate: timestamp("arrival_date", { withTimezone: true }).notNull(),
    automatic: boolean("automatic").notNull(),
    method: text("method").notNull(),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    /** Sums over the balance transactions paid out (the payout's own excluded), minor units. */
    gross: bigint("gross", { mode: "bigint" }).notNull(),
    fee: bigint("fee", { mode: "bigint" }).notNull(),
    paymentCount: integer("payment_count").notNull(),
    refundCount: integer("refund_count").notNull(),
  },
  (table) => [
    index("stripe_payouts_arrival_idx").on(table.arrivalDate, table.stripeId),
    check("stripe_payouts_id", sql`${table.stripeId} like 'po_%'`),
    check("stripe_payouts_counts", sql`${table.paymentCount} >= 0 and ${table.refundCount} >= 0`),
  ],
);

/** Stripe balance transactions, by the payout that paid them out (null while not paid out). */
export const stripeBalanceTransactions = pgTable(
  "stripe_balance_transactions",
  {
    stripeId: text("stripe_id").primaryKey(),
    payoutId: text("payout_id"),
    /** charge | refund | payout | adjustment | ... */
    type: text("type").notNull(),
    reportingCategory: text("reporting_category").notNull(),
    /** The charge, refund or payout it moved money for. */
    sourceId: text("source_id"),
    /** Minor units of `currency`; `net` = `amount` − `fee`. */
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    fee: bigint("fee", { mode: "bigint" }).notNull(),
    net: bigint("net", { mode: "bigint" }).notNull(),
    currency: text("currency").notNull(),
    status: text("status").notNull(),
    availableOn: timestamp("available_on", { withTimezone: true }).notNull(),
    stripeCreated: timestamp("stripe_created", { withTimezone: true }).notNull(),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("stripe_balance_transactions_payout_idx").on(table.payoutId),
    index("stripe_balance_transactions_source_idx").on(table.sourceId),
    check("stripe_balance_transactions_net", sql`${table.net} = ${table.amount} - ${table.fee}`),
  ],
);

export const stripeWebhookEventStatuses = ["pending", "processed", "failed", "parked"] as const;
export type StripeWebhookEventStatus = (typeof stripeWebhookEventStatuses)[number];

/**
 * The webhook inbox: every verified event, by its id, durable before the 2xx. A duplicate
 * delivery hits the primary key and is ignored. Processing is asynchronous (worker, job,
 * Inngest), retried with backoff (`next_attempt_at`), parked after too many attempts.
 */
export const stripeWebhookEvents = pgTable(
  "stripe_webhook_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    created: timestamp("created", { withTimezone: true }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    livemode: boolean("livemode").notNull().default(false),
    /** The Stripe customer the event's object belongs to, for the customer page. */
    stripeCustomerId: text("stripe_customer_id"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    status: text("status", { enum: stripeWebhookEventStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A claim's lease: another worker may take the event once it passes (a crashed worker). */
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (table) => [
    index("stripe_webhook_events_due_idx").on(table.nextAttemptAt).where(sql`${table.status} in ('pending', 'failed')`),
    // One customer's events (the customer page, its timeline, the console list's customer filter) in either sort, keyset-paged.
    index("stripe_webhook_events_customer_received_idx").on(table.stripeCustomerId, table.receivedAt, table.id),
    index("stripe_webhook_events_customer_created_idx").on(table.stripeCustomerId, table.created, table.id),
    // The console list's sorts, and its status and type filters (the status one also serves the inbox by status).
    index("stripe_webhook_events_received_sort_idx").on(table.receivedAt, table.id),
    index("stripe_webhook_events_created_sort_idx").on(table.created, table.id),
    index("stripe_webhook_events_status_sort_idx").on(table.status, table.receivedAt, table.id),
    index("stripe_webhook_events_type_sort_idx").on(table.type, table.receivedAt, table.id),
    check("stripe_webhook_events_id", sql`${table.id} like 'evt_%'`),
    check("stripe_webhook_events_attempts", sql`${table.attempts} >= 0`),
  ],
);

/** A Stripe write that failed for good (a 4xx other than 409/429): recorded, not retried. */
export const stripeSyncFailures = pgTable(
  "stripe_sync_failures",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** e.g. `customer.create`, `subscription.update`. */
    operation: text("operation").notNull(),
    objectType: text("object_type").notNull(),
    /** The Tally id the write was for. */
    objectId: text("object_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    httpStatus: integer("http_status"),
    errorType: text("error_type"),
    errorCode: text("error_code"),
    message: text("message").notNull(),
    requestId: text("request_id"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The console list (list-sync-failures-view.ts): by time, alone or within one operation, keyset-paged.
    index("stripe_sync_failures_occurred_idx").on(table.occurredAt, table.id),
    index("stripe_sync_failures_operation_idx").on(table.operation, table.occurredAt, table.id),
    index("stripe_sync_failures_object_idx").on(table.objectType, table.objectId),
  ],
);

/** Where `npm run job -- stripe:backfill` got to, per resource, so a stopped run resumes. */
export const stripeBackfillCursors = pgTable("stripe_backfill_cursors", {
  resource: text("resource").primaryKey(),
  /** The last Stripe id stored (`starting_after` of the next page); null before the first page. */
  cursor: text("cursor"),
  objectsStored: integer("objects_stored").notNull().default(0),
  completedAt: timestamp("completed_at", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type StripeCustomerRow = typeof stripeCustomers.$inferSelect;
export type StripeSubscriptionRow = typeof stripeSubscriptions.$inferSelect;
export type StripeInvoiceRow = typeof stripeInvoices.$inferSelect;
export type StripePaymentMethodRow = typeof stripePaymentMethods.$inferSelect;
export type StripePaymentIntentRow = typeof stripePaymentIntents.$inferSelect;
export type StripeChargeRow = typeof stripeCharges.$inferSelect;
export type StripeRefundRow = typeof stripeRefunds.$inferSelect;
export type StripeInvoicePaymentRow = typeof stripeInvoicePayments.$inferSelect;
export type StripePayoutRow = typeof stripePayouts.$inferSelect;
export type StripeBalanceTransactionRow = typeof stripeBalanceTransactions.$inferSelect;
export type StripeWebhookEventRow = typeof stripeWebhookEvents.$inferSelect;
export type StripeSyncFailureRow = typeof stripeSyncFailures.$inferSelect;
