import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planSimulationRuns, plans, planVersions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { runPlanSimulation } from "./run-plan-simulation";
import { startPlanSimulation } from "./start-plan-simulation";

/** The demo's finished simulation: Pro v2 on the customers still on Pro v1 (its page lists each of them). Idempotent. */
export async function seedPlanSimulationDemo(db: Db, clock: Clock): Promise<string> {
  const versions = await db
    .select({ id: planVersions.id, version: planVersions.version })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(plans.key, "pro"))
    .orderBy(asc(planVersions.version));
  const current = versions.find((version) => version.version === 1);
  const proposed = versions.find((version) => version.version === 2);
  if (!current || !proposed) return "skipped (no Pro v1 and v2)";
  const [done] = await db
    .select({ id: planSimulationRuns.id })
    .from(planSimulationRuns)
    .where(and(eq(planSimulationRuns.currentVersionId, current.id), eq(planSimulationRuns.proposedVersionId, proposed.id), eq(planSimulationRuns.status, "succeeded")))
    .limit(1);
  if (done) return "already there";
  const { run } = await startPlanSimulation(db, { currentVersionId: current.id, proposedVersionId: proposed.id, requestedBy: "product@tally.test" }, { clock });
  const result = await runPlanSimulation(db, { runId: run.id });
  return result.status === "nothing_to_claim" ? "already running elsewhere" : `Pro v2 on Pro v1's customers: ${result.status}, ${result.subscriptions} subscriptions`;
}
