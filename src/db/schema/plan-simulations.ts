import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { planVersions } from "./catalog";
import { customers } from "./customers";
import { subscriptions } from "./subscriptions";

export const planSimulationRunStatuses = ["queued", "running", "succeeded", "failed"] as const;
export type PlanSimulationRunStatus = (typeof planSimulationRunStatuses)[number];

const money = (name: string) => bigint(name, { mode: "bigint" });

/**
 * One stored simulation of `proposed_version_id` on every subscription of `current_version_id`
 * (invoicing domain, runPlanSimulation). Queued by a person, claimed by one worker at a time
 * (`FOR UPDATE SKIP LOCKED`; `attempt` fences a worker whose claim went stale), computed in
 * keyset batches of subscriptions (`cursor_subscription_id` is the last one done) with counts
 * and totals added in the same transaction as each batch's results, so they always agree.
 * `as_of` fixes which period is "the last complete one" for every batch.
 */
export const planSimulationRuns = pgTable(
  "plan_simulation_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    currentVersionId: uuid("current_version_id")
      .notNull()
      .references(() => planVersions.id),
    proposedVersionId: uuid("proposed_version_id")
      .notNull()
      .references(() => planVersions.id),
    requestedBy: text("requested_by").notNull(),
    status: text("status", { enum: planSimulationRunStatuses }).notNull().default("queued"),
    currency: text("currency").notNull(),
    asOf: timestamp("as_of", { withTimezone: true }).notNull(),
    /** Subscriptions on the current version when the run was claimed (progress; the run rates all it pages through). */
    subscriptionsExpected: integer("subscriptions_expected"),
    subscriptionsDone: integer("subscriptions_done").notNull().default(0),
    increaseCount: integer("increase_count").notNull().default(0),
    decreaseCount: integer("decrease_count").notNull().default(0),
    unchangedCount: integer("unchanged_count").notNull().default(0),
    currentMicros: money("current_micros").notNull().default(sql`0`),
    proposedMicros: money("proposed_micros").notNull().default(sql`0`),
    differenceMicros: money("difference_micros").notNull().default(sql`0`),
    cursorSubscriptionId: uuid("cursor_subscription_id"),
    attempt: integer("attempt").notNull().default(0),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [
    index("plan_simulation_runs_proposed_idx").on(table.proposedVersionId, table.requestedAt, table.id),
    index("plan_simulation_runs_claimable_idx").on(table.requestedAt).where(sql`${table.status} in ('queued', 'running')`),
    check("plan_simulation_runs_error_check", sql`(${table.status} = 'failed') = (${table.errorCode} is not null)`),
    check("plan_simulation_runs_finished_check", sql`(${table.status} in ('succeeded', 'failed')) = (${table.finishedAt} is not null)`),
  ],
);

/**
 * One subscription's line of a run: its last complete period's invoice total before credits now
 * and under the proposed version. The customer's name is stored (as of the run) so the results
 * sort by it from one index; each sort of the results list has its `(run_id, sort, subscription_id)` index.
 */
export const planSimulationResults = pgTable(
  "plan_simulation_results",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => planSimulationRuns.id, { onDelete: "cascade" }),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id),
    customerName: text("customer_name").notNull(),
    customerExternalId: text("customer_external_id").notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    currentMicros: money("current_micros").notNull(),
    proposedMicros: money("proposed_micros").notNull(),
    differenceMicros: money("difference_micros").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.runId, table.subscriptionId] }),
    index("plan_simulation_results_difference_idx").on(table.runId, table.differenceMicros, table.subscriptionId),
    index("plan_simulation_results_magnitude_idx").on(table.runId, sql`abs(${table.differenceMicros})`, table.subscriptionId),
    index("plan_simulation_results_customer_idx").on(table.runId, sql`lower(${table.customerName})`, table.subscriptionId),
    index("plan_simulation_results_current_idx").on(table.runId, table.currentMicros, table.subscriptionId),
    index("plan_simulation_results_proposed_idx").on(table.runId, table.proposedMicros, table.subscriptionId),
    check("plan_simulation_results_difference_check", sql`${table.differenceMicros} = ${table.proposedMicros} - ${table.currentMicros}`),
  ],
);

export type PlanSimulationRun = typeof planSimulationRuns.$inferSelect;
export type PlanSimulationResult = typeof planSimulationResults.$inferSelect;
