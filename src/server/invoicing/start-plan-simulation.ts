import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planSimulationRuns, type PlanSimulationRun } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { checkSimulationTerms } from "./simulate-plan-version";

export type StartPlanSimulationInput = { currentVersionId: string; proposedVersionId: string; requestedBy: string };
export type StartPlanSimulationResult = { run: PlanSimulationRun; created: boolean };

/**
 * Queues a simulation of `proposedVersionId` on the customers of `currentVersionId`, as of now
 * (their last complete period). Refuses versions that cannot be compared
 * (`plan_version_not_found`, `simulation_terms_incompatible`). A second start of the same pair
 * while one is queued or running returns that run (a double click queues one run). The caller
 * announces the run (Inngest event); the in-process worker or `npm run job -- invoicing:plan-simulations` computes it otherwise.
 */
export async function startPlanSimulation(db: Db, input: StartPlanSimulationInput, options: { clock: Clock }): Promise<StartPlanSimulationResult> {
  const terms = await checkSimulationTerms(db, input);
  return db.transaction(async (tx) => {
    // Serializes starts of one pair, so two clicks at once still queue one run.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`plan-simulation:${input.currentVersionId}:${input.proposedVersionId}`}, 0))`);
    const [active] = await tx
      .select()
      .from(planSimulationRuns)
      .where(
        and(
          eq(planSimulationRuns.proposedVersionId, input.proposedVersionId),
          eq(planSimulationRuns.currentVersionId, input.currentVersionId),
          inArray(planSimulationRuns.status, ["queued", "running"]),
        ),
      )
      .orderBy(desc(planSimulationRuns.requestedAt))
      .limit(1);
    if (active) return { run: active, created: false };
    const [run] = await tx
      .insert(planSimulationRuns)
      .values({
        currentVersionId: input.currentVersionId,
        proposedVersionId: input.proposedVersionId,
        requestedBy: input.requestedBy,
        currency: terms.currency,
        asOf: options.clock.now(),
        requestedAt: options.clock.now(),
      })
      .returning();
    return { run: run!, created: true };
  });
}
