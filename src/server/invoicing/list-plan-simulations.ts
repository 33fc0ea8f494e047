import { eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { planSimulationRuns, planVersions, type PlanSimulationRun } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { keysetPage, keysetPlan } from "@/server/lib/keyset";

/** A run with the version numbers it compares (for "v1 → v2" in words). */
export type PlanSimulationRunView = Omit<PlanSimulationRun, "cursorSubscriptionId" | "attempt" | "heartbeatAt"> & { currentVersion: number; proposedVersion: number };

const currentVersion = alias(planVersions, "current_version");
const proposedVersion = alias(planVersions, "proposed_version");

const columns = {
  id: planSimulationRuns.id,
  currentVersionId: planSimulationRuns.currentVersionId,
  proposedVersionId: planSimulationRuns.proposedVersionId,
  requestedBy: planSimulationRuns.requestedBy,
  status: planSimulationRuns.status,
  currency: planSimulationRuns.currency,
  asOf: planSimulationRuns.asOf,
  subscriptionsExpected: planSimulationRuns.subscriptionsExpected,
  subscriptionsDone: planSimulationRuns.subscriptionsDone,
  increaseCount: planSimulationRuns.increaseCount,
  decreaseCount: planSimulationRuns.decreaseCount,
  unchangedCount: planSimulationRuns.unchangedCount,
  currentMicros: planSimulationRuns.currentMicros,
  proposedMicros: planSimulationRuns.proposedMicros,
  differenceMicros: planSimulationRuns.differenceMicros,
  errorCode: planSimulationRuns.errorCode,
  errorMessage: planSimulationRuns.errorMessage,
  requestedAt: planSimulationRuns.requestedAt,
  startedAt: planSimulationRuns.startedAt,
  finishedAt: planSimulationRuns.finishedAt,
  currentVersion: currentVersion.version,
  proposedVersion: proposedVersion.version,
};

function selectRuns(db: Db) {
  return db
    .select(columns)
    .from(planSimulationRuns)
    .innerJoin(currentVersion, eq(currentVersion.id, planSimulationRuns.currentVersionId))
    .innerJoin(proposedVersion, eq(proposedVersion.id, planSimulationRuns.proposedVersionId));
}

/** One run, with its progress and totals; `plan_simulation_not_found` when there is none. */
export async function getPlanSimulation(db: Db, input: { runId: string }): Promise<PlanSimulationRunView> {
  const [run] = await selectRuns(db).where(eq(planSimulationRuns.id, input.runId));
  if (!run) throw new DomainError("not_found", "plan_simulation_not_found", "There is no such simulation run; it may have been started on another database. Start a new one from the plan version.");
  return run;
}

const runsMax = 100;

/** The runs that simulated `proposedVersionId`, newest first, keyset-paged on (proposed version, requested at, id). */
export async function listPlanSimulations(db: Db, input: { proposedVersionId: string; cursor?: string; limit: number }): Promise<{ items: PlanSimulationRunView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), runsMax);
  const plan = keysetPlan({
    sortKey: "requested",
    sort: { expression: sql`${planSimulationRuns.requestedAt}`, type: "timestamptz" },
    direction: "desc",
    id: sql`${planSimulationRuns.id}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: { column: sql`${planSimulationRuns.proposedVersionId}`, value: input.proposedVersionId },
  });
  const rows = await selectRuns(db)
    .where(plan.where)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  return keysetPage(rows, limit, { sortKey: "requested", direction: "desc", key: (row) => ({ value: row.requestedAt.toISOString(), id: row.id }) });
}
