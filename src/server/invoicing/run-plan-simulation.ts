import { and, count, eq, gt, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planSimulationResults, planSimulationRuns, subscriptions } from "@/db/schema";
import { isDomainError } from "@/server/errors";
import { listSimulatedSubscriptions, simulatedStatuses, simulatePlanVersion, simulationBatchMax, type SimulatePlanVersionResult } from "./simulate-plan-version";

/** Subscriptions rated per batch: each batch's results and totals are written in one transaction. */
export const planSimulationBatchSize = 500;
export const simulationBatchMaxForRuns = simulationBatchMax;
/** A running run whose heartbeat is older than this is taken to have lost its worker and may be claimed again. */
export const planSimulationStaleMs = 5 * 60_000;
/** Claims of one run before a run that keeps losing its worker is failed instead of retried. */
export const planSimulationAttemptsMax = 3;
/** Bound on batches per run (50 million subscriptions at the default size). */
const batchesMax = 100_000;

type ClaimedRun = { id: string; attempt: number; currentVersionId: string; proposedVersionId: string; asOf: Date; cursorSubscriptionId: string | null };

export type RunPlanSimulationOptions = {
  /** Subscriptions per batch (tests make it small to cross batches). */
  batchSize?: number;
  staleMs?: number;
};

export type RunPlanSimulationResult =
  | { status: "nothing_to_claim" }
  | { status: "succeeded" | "failed" | "lost_claim"; runId: string; batches: number; subscriptions: number };

/**
 * Claims one queued run (or a running one whose worker went quiet; `runId` to name it) with
 * `FOR UPDATE SKIP LOCKED`, so the command-line job, the Inngest function and the in-process
 * worker never compute one run at the same time. Counts the subscriptions it will page through.
 */
export async function claimPlanSimulationRun(db: Db, input: { runId?: string }, options: { staleMs?: number } = {}): Promise<ClaimedRun | null> {
  const staleMs = options.staleMs ?? planSimulationStaleMs;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(planSimulationRuns)
      .where(
        and(
          input.runId ? eq(planSimulationRuns.id, input.runId) : undefined,
          or(
            eq(planSimulationRuns.status, "queued"),
            and(eq(planSimulationRuns.status, "running"), lt(planSimulationRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleMs / 1000})`)),
          ),
        ),
      )
      .orderBy(planSimulationRuns.requestedAt, planSimulationRuns.id)
      .limit(1)
      .for("update", { skipLocked: true });
    if (!row) return null;
    if (row.attempt >= planSimulationAttemptsMax) {
      await tx
        .update(planSimulationRuns)
        .set({
          status: "failed",
          errorCode: "simulation_stalled",
          errorMessage: `The simulation stopped ${row.attempt} times without finishing (its worker went away); start it again, and if it stalls again tell engineering the run id ${row.id}.`,
          finishedAt: sql`now()`,
        })
        .where(eq(planSimulationRuns.id, row.id));
      return null;
    }
    const [expected] = await tx
      .select({ total: count() })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.planVersionId, row.currentVersionId),
          inArray(subscriptions.status, [...simulatedStatuses]),
          row.cursorSubscriptionId ? gt(subscriptions.id, row.cursorSubscriptionId) : undefined,
        ),
      );
    const [claimed] = await tx
      .update(planSimulationRuns)
      .set({
        status: "running",
        attempt: row.attempt + 1,
        startedAt: sql`coalesce(${planSimulationRuns.startedAt}, now())`,
        heartbeatAt: sql`now()`,
        subscriptionsExpected: sql`${planSimulationRuns.subscriptionsDone} + ${expected?.total ?? 0}`,
      })
      .where(eq(planSimulationRuns.id, row.id))
      .returning();
    return {
      id: claimed!.id,
      attempt: claimed!.attempt,
      currentVersionId: claimed!.currentVersionId,
      proposedVersionId: claimed!.proposedVersionId,
      asOf: claimed!.asOf,
      cursorSubscriptionId: claimed!.cursorSubscriptionId,
    };
  });
}

/**
 * Claims a run and computes it: keyset pages of `batchSize` subscriptions on the current version,
 * each rated by simulatePlanVersion (the invoice computation itself) as of the run's `as_of`, its
 * results and the run's counts and totals written in one transaction, fenced by the claim's
 * attempt. A worker that lost its claim stops without writing; a run that throws is failed with a
 * code and a message, never left running.
 */
export async function runPlanSimulation(db: Db, input: { runId?: string }, options: RunPlanSimulationOptions = {}): Promise<RunPlanSimulationResult> {
  const batchSize = options.batchSize ?? planSimulationBatchSize;
  const run = await claimPlanSimulationRun(db, input, options);
  if (!run) return { status: "nothing_to_claim" };
  let cursor = run.cursorSubscriptionId;
  let batches = 0;
  let rated = 0;
  try {
    for (; batches < batchesMax; batches++) {
      const page = await listSimulatedSubscriptions(db, { planVersionId: run.currentVersionId, afterSubscriptionId: cursor, limit: batchSize });
      if (page.length === 0) break;
      const result = await simulatePlanVersion(db, { currentVersionId: run.currentVersionId, proposedVersionId: run.proposedVersionId, subscriptions: page }, { now: run.asOf });
      cursor = page.at(-1)!.subscriptionId;
      if (!(await writeBatch(db, run, result, cursor))) return { status: "lost_claim", runId: run.id, batches, subscriptions: rated };
      rated += page.length;
      if (page.length < batchSize) {
        batches += 1;
        break;
      }
    }
    const [finished] = await db
      .update(planSimulationRuns)
      .set({ status: "succeeded", finishedAt: sql`now()`, heartbeatAt: sql`now()` })
      .where(and(eq(planSimulationRuns.id, run.id), eq(planSimulationRuns.attempt, run.attempt), eq(planSimulationRuns.status, "running")))
      .returning({ id: planSimulationRuns.id });
    return { status: finished ? "succeeded" : "lost_claim", runId: run.id, batches, subscriptions: rated };
  } catch (error) {
    await db
      .update(planSimulationRuns)
      .set({
        status: "failed",
        errorCode: isDomainError(error) ? error.code : "internal_error",
        errorMessage: isDomainError(error)
          ? error.message
          : `The simulation stopped on an error on our side after ${rated} subscriptions; start it again, and if it fails again tell engineering the run id ${run.id}.`,
        finishedAt: sql`now()`,
      })
      .where(and(eq(planSimulationRuns.id, run.id), eq(planSimulationRuns.attempt, run.attempt), eq(planSimulationRuns.status, "running")));
    if (isDomainError(error)) return { status: "failed", runId: run.id, batches, subscriptions: rated };
    throw error;
  }
}

/**
 * One batch's results, and the run's cursor, counts and totals moved on by the rows actually
 * inserted, in one transaction; false (and nothing written) when another worker holds the claim.
 */
async function writeBatch(db: Db, run: ClaimedRun, result: SimulatePlanVersionResult, cursor: string): Promise<boolean> {
  return db
    .transaction(async (tx) => {
      const inserted = await tx
        .insert(planSimulationResults)
        .values(
          result.customers.map((line) => ({
            runId: run.id,
            subscriptionId: line.subscriptionId,
            customerId: line.customerId,
            customerName: line.name,
            customerExternalId: line.externalId,
            periodStart: line.period.start,
            periodEnd: line.period.end,
            currentMicros: line.currentMicros,
            proposedMicros: line.proposedMicros,
            differenceMicros: line.differenceMicros,
          })),
        )
        .onConflictDoNothing()
        .returning({ currentMicros: planSimulationResults.currentMicros, proposedMicros: planSimulationResults.proposedMicros, differenceMicros: planSimulationResults.differenceMicros });
      const add = (pick: (row: (typeof inserted)[number]) => bigint) => inserted.reduce((total, row) => total + pick(row), 0n);
      const [updated] = await tx
        .update(planSimulationRuns)
        .set({
          cursorSubscriptionId: cursor,
          heartbeatAt: sql`now()`,
          subscriptionsDone: sql`${planSimulationRuns.subscriptionsDone} + ${inserted.length}`,
          increaseCount: sql`${planSimulationRuns.increaseCount} + ${inserted.filter((row) => row.differenceMicros > 0n).length}`,
          decreaseCount: sql`${planSimulationRuns.decreaseCount} + ${inserted.filter((row) => row.differenceMicros < 0n).length}`,
          unchangedCount: sql`${planSimulationRuns.unchangedCount} + ${inserted.filter((row) => row.differenceMicros === 0n).length}`,
          currentMicros: sql`${planSimulationRuns.currentMicros} + ${add((row) => row.currentMicros).toString()}::bigint`,
          proposedMicros: sql`${planSimulationRuns.proposedMicros} + ${add((row) => row.proposedMicros).toString()}::bigint`,
          differenceMicros: sql`${planSimulationRuns.differenceMicros} + ${add((row) => row.differenceMicros).toString()}::bigint`,
        })
        .where(and(eq(planSimulationRuns.id, run.id), eq(planSimulationRuns.attempt, run.attempt), eq(planSimulationRuns.status, "running")))
        .returning({ id: planSimulationRuns.id });
      if (!updated) throw new LostClaim();
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof LostClaim) return false;
      throw error;
    });
}

class LostClaim extends Error {}

/** The job's and the worker's loop: claims and computes queued runs one after another, at most `runsMax`. */
export async function runQueuedPlanSimulations(db: Db, input: { runId?: string; runsMax: number }, options: RunPlanSimulationOptions = {}): Promise<RunPlanSimulationResult[]> {
  const results: RunPlanSimulationResult[] = [];
  for (let index = 0; index < input.runsMax; index++) {
    const result = await runPlanSimulation(db, { runId: input.runId }, options);
    if (result.status === "nothing_to_claim") break;
    results.push(result);
    if (input.runId) break;
  }
  return results;
}
