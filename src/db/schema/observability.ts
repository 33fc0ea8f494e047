import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/*
 * The observability tables (src/server/observability): job runs, and per-minute samples of the
 * figures the Billing health page charts.
 */

export const jobRunStatuses = ["running", "succeeded", "failed"] as const;
export type JobRunStatus = (typeof jobRunStatuses)[number];

/** One run of a registered job (`npm run job`, Inngest), written by runJob; kept, never updated after it ends. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    job: text("job").notNull(),
    requestId: text("request_id").notNull(),
    status: text("status", { enum: jobRunStatuses }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    /** The error's message for a failed run (the log line with the same request id has the stack). */
    error: text("error"),
    /** The job's summary (what `npm run job` prints), bounded. */
    summary: jsonb("summary").$type<Record<string, unknown>>(),
  },
  (table) => [
    index("job_runs_job_idx").on(table.job, table.startedAt),
    index("job_runs_started_idx").on(table.startedAt),
    index("job_runs_succeeded_idx").on(table.job, table.finishedAt).where(sql`${table.status} = 'succeeded'`),
    check("job_runs_status_check", sql`${table.status} in ('running', 'succeeded', 'failed')`),
  ],
);

/**
 * One row per minute of the Billing health page's figures: `counters` add up what every server
 * process counted in that minute (each process adds its own deltas), `gauges` are the database
 * figures read once in the minute. The page reads at most one row per minute of its range.
 */
export const healthSamples = pgTable("health_samples", {
  minute: timestamp("minute", { withTimezone: true }).primaryKey(),
  counters: jsonb("counters").$type<Record<string, number>>().notNull().default({}),
  gauges: jsonb("gauges").$type<Record<string, number>>().notNull().default({}),
});

export type JobRun = typeof jobRuns.$inferSelect;
