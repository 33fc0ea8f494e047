import { sql } from "drizzle-orm";
import { bigint, bigserial, check, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { meters } from "./catalog";
import { customers } from "./customers";

/** What a detector can find (src/server/anomalies/detectors). */
export const anomalyKinds = ["usage_spike", "usage_drop", "invoice_jump", "duplicate_charge", "payment_failure", "reconciliation", "credit_burn", "spend_limit", "job_failure"] as const;
export type AnomalyKind = (typeof anomalyKinds)[number];

/**
 * `open` → `acknowledged` (someone is on it) → `resolved` | `dismissed` (by a person, with a reason);
 * `auto_resolved` when a later detection run no longer sees the condition. A person may reopen.
 */
export const anomalyStatuses = ["open", "acknowledged", "resolved", "dismissed", "auto_resolved"] as const;
export type AnomalyStatus = (typeof anomalyStatuses)[number];
/** Statuses that count as "still to look at": one anomaly per (kind, customer, subject, window) among all statuses. */
export const activeAnomalyStatuses = ["open", "acknowledged"] as const satisfies readonly AnomalyStatus[];

export const anomalySeverities = ["low", "medium", "high", "critical"] as const;
export type AnomalySeverity = (typeof anomalySeverities)[number];

/**
 * One anomaly: a condition a detector found for one customer (or none, for some reconciliation
 * findings), on one subject (a meter, an invoice, a charge, a grant...) over one window. The
 * unique key (kind, customer, subject, window_start) makes detection idempotent: a rerun over the
 * same data updates the row it made, and a condition that goes on (a drop that lasts) extends the
 * window of its open anomaly instead of opening another. A detector never changes money: people
 * act through the normal audited operations.
 */
export const anomalies = pgTable(
  "anomalies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: anomalyKinds }).notNull(),
    status: text("status", { enum: anomalyStatuses }).notNull().default("open"),
    severity: text("severity", { enum: anomalySeverities }).notNull(),
    customerId: uuid("customer_id").references(() => customers.id),
    /** What it is about, as a stable key: `meter:llm_tokens`, `invoice:<uuid>`, `charge:ch_…`, `grant:<uuid>`, `discrepancy:<id>`. */
    subject: text("subject").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    /** One line naming the cause, for the queue ("llm_tokens 8.2× the usual Tuesday, mostly model opus"). */
    title: text("title").notNull(),
    /** Observed and expected quantities (usage kinds) or amounts, exact decimal strings; null where not meaningful. */
    observed: numeric("observed"),
    expected: numeric("expected"),
    /** Money at stake in micro-units of `currency` (excess or missing usage rated with the customer's prices, a duplicate amount...). */
    impactMicros: bigint("impact_micros", { mode: "bigint" }),
    currency: text("currency").notNull().default("usd"),
    /** The detector's evidence (baseline, attribution, objects with their ids); shape per kind, see src/server/anomalies/evidence.ts. */
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull().default({}),
    assigneeId: uuid("assignee_id").references(() => users.id),
    firstDetectedAt: timestamp("first_detected_at", { withTimezone: true }).notNull(),
    lastDetectedAt: timestamp("last_detected_at", { withTimezone: true }).notNull(),
    /** When it reached resolved / dismissed / auto_resolved; null while open or acknowledged. */
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedReason: text("closed_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("anomalies_identity_key").on(table.kind, sql`coalesce(${table.customerId}, '00000000-0000-0000-0000-000000000000'::uuid)`, table.subject, table.windowStart),
    /** The queue: by status, most money first. */
    index("anomalies_queue_idx").on(table.status, sql`${table.impactMicros} desc nulls last`, table.id),
    index("anomalies_customer_idx").on(table.customerId, table.status, table.windowStart),
    index("anomalies_kind_idx").on(table.kind, table.status),
    index("anomalies_assignee_idx").on(table.assigneeId).where(sql`${table.assigneeId} is not null`),
    // The console's queue (list-anomalies-view.ts), keyset-paged on (sort, id) by money at stake or first
    // detection: the active view (open or acknowledged, the default) reads a partial index, one status
    // its (status, sort, id) index, every status the plain one. Impact without an estimate sorts lowest.
    index("anomalies_active_impact_idx").on(sql`coalesce(${table.impactMicros}, '-9223372036854775808'::bigint)`, table.id).where(sql`${table.status} in ('open', 'acknowledged')`),
    index("anomalies_active_detected_idx").on(table.firstDetectedAt, table.id).where(sql`${table.status} in ('open', 'acknowledged')`),
    index("anomalies_status_impact_idx").on(table.status, sql`coalesce(${table.impactMicros}, '-9223372036854775808'::bigint)`, table.id),
    index("anomalies_status_detected_idx").on(table.status, table.firstDetectedAt, table.id),
    index("anomalies_impact_idx").on(sql`coalesce(${table.impactMicros}, '-9223372036854775808'::bigint)`, table.id),
    index("anomalies_detected_idx").on(table.firstDetectedAt, table.id),
    check("anomalies_window_check", sql`${table.windowEnd} >= ${table.windowStart}`),
    check("anomalies_closed_check", sql`(${table.status} in ('open', 'acknowledged')) = (${table.closedAt} is null)`),
  ],
);

export const anomalyActivityActions = ["opened", "updated", "reopened", "auto_resolved", "acknowledged", "assigned", "unassigned", "noted", "resolved", "dismissed"] as const;
export type AnomalyActivityAction = (typeof anomalyActivityActions)[number];

/** What happened to an anomaly, oldest first: detection (system) and people's actions (also in the audit log). */
export const anomalyActivity = pgTable(
  "anomaly_activity",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    anomalyId: uuid("anomaly_id")
      .notNull()
      .references(() => anomalies.id),
    action: text("action", { enum: anomalyActivityActions }).notNull(),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id").notNull(),
    actorLabel: text("actor_label").notNull(),
    note: text("note"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("anomaly_activity_anomaly_idx").on(table.anomalyId, table.occurredAt)],
);

/**
 * The detection thresholds, one row per setting (`key` from src/server/anomalies/settings.ts,
 * where each has its default, bounds and meaning). A missing row means the default.
 */
export const anomalySettings = pgTable("anomaly_settings", {
  key: text("key").primaryKey(),
  /** Decimal string. */
  value: numeric("value").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Daily usage per meter and subject (a customer's external id, or an unknown subject), derived
 * from the hourly rollups by the detection job: each run refreshes the days whose rollups may
 * have changed (the last two by the hourly run, the last week by the daily one). The baselines
 * read 8 weeks of these (56 rows per series) instead of 1,344 hourly rollups.
 * `active_hours` is a bitmask of the UTC hours (bit h = hour h) that had events: the hour-of-week
 * activity profile that tells "stopped" from "quiet at night".
 */
export const anomalyUsageDays = pgTable(
  "anomaly_usage_days",
  {
    meterId: uuid("meter_id")
      .notNull()
      .references(() => meters.id),
    subject: text("subject").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    /** The meter's aggregation over the day (unique_count: events), exact decimal. */
    quantity: numeric("quantity").notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
    activeHours: integer("active_hours").notNull(),
    refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.meterId, table.subject, table.day] }), index("anomaly_usage_days_day_idx").on(table.day)],
);

/** Every detection run: what it looked at and found (the queue page shows the last one). */
export const anomalyRuns = pgTable(
  "anomaly_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** `hourly` | `daily` | `manual` */
    mode: text("mode").notNull(),
    asOf: timestamp("as_of", { withTimezone: true }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    summary: jsonb("summary").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [index("anomaly_runs_started_idx").on(table.startedAt)],
);

/** Support's notes on a customer: everyone who may see the customer reads them; every note is audited. */
export const customerNotes = pgTable(
  "customer_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    body: text("body").notNull(),
    authorId: text("author_id").notNull(),
    authorLabel: text("author_label").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("customer_notes_customer_idx").on(table.customerId, table.createdAt), check("customer_notes_body_check", sql`length(${table.body}) between 1 and 5000`)],
);

export type Anomaly = typeof anomalies.$inferSelect;
export type AnomalyActivity = typeof anomalyActivity.$inferSelect;
export type AnomalyUsageDay = typeof anomalyUsageDays.$inferSelect;
export type CustomerNote = typeof customerNotes.$inferSelect;
