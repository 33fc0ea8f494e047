import { sql } from "drizzle-orm";
import { bigint, customType, index, jsonb, numeric, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { meters } from "./catalog";

/** PostgreSQL's 64-bit transaction id; carried as a decimal string. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/*
 * The raw events themselves live in `usage_events`, a table partitioned by month on
 * `occurred_at`. drizzle-kit cannot express declarative partitioning, so that table is
 * created by the custom migration `*_metering_partitions.sql` and declared for typed
 * queries in src/server/metering/usage-events-table.ts, outside this schema index, so that
 * drizzle-kit never tries to create it a second time.
 */

/**
 * The dedup key of every event ever accepted, in one unpartitioned table: a unique index on
 * the partitioned table would have to include the partition key, and a retried event is
 * only a duplicate if it is found whatever month it landed in. Written in the same
 * statement as the event itself.
 */
export const usageEventKeys = pgTable(
  "usage_event_keys",
  {
    source: text("source").notNull(),
    eventId: text("event_id").notNull(),
    /** Keys whose event is older than the lateness window can be pruned (a retry would be `too_late`). */
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  // BRIN: pruning finds old keys by event time at almost no cost to each insert (keys arrive
  // roughly in event-time order; the 35-day lateness window bounds how far out of order).
  (table) => [primaryKey({ columns: [table.source, table.eventId] }), index("usage_event_keys_occurred_brin").using("brin", table.occurredAt)],
);

/** Where each cooperating worker has got to in the event stream, ordered by (txid, seq). */
export const meteringCursors = pgTable("metering_cursors", {
  name: text("name").primaryKey(),
  lastTxid: xid8("last_txid").notNull().default(sql`'0'::xid8`),
  lastSeq: bigint("last_seq", { mode: "bigint" }).notNull().default(sql`0`),
  /**
   * Rollup cursor only: the hour boundary before which every event this cursor's claims roll up
   * is marked late (metering_late_marks): the start of the hour before the last claim's. Moved
   * forward only under the cursor row's lock, so a claim that commits after someone read it marks
   * at least what that reader saw sealed (usage prefixes rely on it: usage-prefix-cache.ts).
   */
  sealedBefore: timestamp("sealed_before", { withTimezone: true }).notNull().default(sql`'-infinity'`),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Per subject, the last event in ingestion order (txid, seq) that a rollup claim rolled up into
 * an hour already sealed when it claimed it (occurred_at before the cursor's sealed_before). A
 * usage prefix read at rollup cursor C0 is still exact for its hours, without reading the
 * subject's raw events past C0, while its subject's mark is at or before C0.
 */
export const meteringLateMarks = pgTable("metering_late_marks", {
  subject: text("subject").primaryKey(),
  lateTxid: xid8("late_txid").notNull(),
  lateSeq: bigint("late_seq", { mode: "bigint" }).notNull(),
});

/**
 * Ingestion counters per minute, spread over a few shards so concurrent batches do not
 * queue on one row. `rejected` maps a reject code to its count.
 */
export const meteringIngestCounters = pgTable(
  "metering_ingest_counters",
  {
    minute: timestamp("minute", { withTimezone: true }).notNull(),
    shard: smallint("shard").notNull(),
    accepted: bigint("accepted", { mode: "number" }).notNull().default(0),
    duplicates: bigint("duplicates", { mode: "number" }).notNull().default(0),
    unknownCustomer: bigint("unknown_customer", { mode: "number" }).notNull().default(0),
    /** Accepted events for time the customer was already invoiced for (billed as late usage). */
    late: bigint("late", { mode: "number" }).notNull().default(0),
    rejected: jsonb("rejected").$type<Record<string, number>>().notNull().default({}),
  },
  (table) => [primaryKey({ columns: [table.minute, table.shard] })],
);

/**
 * Metering lag (ingested_at → rolled up) as a log-scale histogram per minute: bucket b holds
 * lags in [1.1^b, 1.1^(b+1)) ms, so percentiles are exact to 10% at any volume.
 */
export const meteringLagHistogram = pgTable(
  "metering_lag_histogram",
  {
    minute: timestamp("minute", { withTimezone: true }).notNull(),
    bucket: smallint("bucket").notNull(),
    count: bigint("count", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.minute, table.bucket] })],
);

/**
 * Usage per meter, customer (by external id, the event's `subject`, so events of customers
 * not yet known are rolled up too), group-by dimension values and hour (UTC), kept
 * continuously by rollUpPending. Every aggregation's state is kept, so one row answers
 * count (`events`), sum, max and latest (by event time, then ingestion order).
 */
export const usageRollups = pgTable(
  "usage_rollups",
  {
    meterId: uuid("meter_id")
      .notNull()
      .references(() => meters.id),
    subject: text("subject").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    /** Group-by property path → value (JSON null when the event lacked it); `{}` without group-by. */
    dimensions: jsonb("dimensions").$type<Record<string, string | null>>().notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
    sumValue: numeric("sum_value"),
    maxValue: numeric("max_value"),
    latestValue: numeric("latest_value"),
    latestAt: timestamp("latest_at", { withTimezone: true }),
    latestSeq: bigint("latest_seq", { mode: "bigint" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.meterId, table.subject, table.windowStart, table.dimensions] })],
);

/**
 * The distinct values a `unique_count` meter saw per window, so a period's unique count is
 * the number of distinct values across its windows (exact), not a sum of per-window counts.
 */
export const usageRollupValues = pgTable(
  "usage_rollup_values",
  {
    meterId: uuid("meter_id")
      .notNull()
      .references(() => meters.id),
    subject: text("subject").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    dimensions: jsonb("dimensions").$type<Record<string, string | null>>().notNull(),
    value: text("value").notNull(),
  },
  (table) => [primaryKey({ columns: [table.meterId, table.subject, table.windowStart, table.dimensions, table.value] })],
);

/**
 * Meters whose rollups include the events that arrived before the meter existed: the worker
 * backfills a new meter over the lateness window once, then records it here.
 */
export const meteringMeterBackfills = pgTable("metering_meter_backfills", {
  meterId: uuid("meter_id")
    .primaryKey()
    .references(() => meters.id),
  backfilledAt: timestamp("backfilled_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Rejected events per hour, subject and reject code, for the events that named a subject: what
 * tells support (and the usage-drop detector) that a customer's events are arriving but being
 * refused (a clock off by hours → `in_future`, a bad payload → `invalid_data`). Written only for
 * batches with such rejections, so accepted traffic pays nothing for it.
 */
export const meteringSubjectRejections = pgTable(
  "metering_subject_rejections",
  {
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    subject: text("subject").notNull(),
    code: text("code").notNull(),
    count: bigint("count", { mode: "number" }).notNull().default(0),
    lastMessage: text("last_message"),
  },
  (table) => [primaryKey({ columns: [table.subject, table.hour, table.code] }), index("metering_subject_rejections_hour_idx").on(table.hour)],
);

/**
 * Events whose subject named no customer, counted per subject: what Ingestion → Unknown subjects
 * pages through. Kept by the rollup claim in the transaction that moves its cursor (exactly once,
 * one writer, so ingesting batches never wait on each other's row; as current as the rollups),
 * and a subject's row is deleted when its events are attached to a customer. Millions of unknown events under thousands of subjects are then
 * thousands of rows, keyset-paged by each sort's index, instead of a grouping of raw events per
 * page view (~95 ms for 300,000 unknown events, growing with them).
 */
export const meteringUnknownSubjects = pgTable(
  "metering_unknown_subjects",
  {
    subject: text("subject").primaryKey(),
    events: bigint("events", { mode: "number" }).notNull(),
    firstOccurredAt: timestamp("first_occurred_at", { withTimezone: true }).notNull(),
    lastOccurredAt: timestamp("last_occurred_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    index("metering_unknown_subjects_events_idx").on(table.events, table.subject),
    index("metering_unknown_subjects_first_idx").on(table.firstOccurredAt, table.subject),
    index("metering_unknown_subjects_last_idx").on(table.lastOccurredAt, table.subject),
  ],
);
