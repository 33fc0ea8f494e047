import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { plans, planVersions, type Plan, type PlanVersion } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type PlanVersionWithPlan = PlanVersion & { plan: Plan };

/** One version with its plan, whatever its status (customers may sit on an archived one). */
export async function getPlanVersion(db: Db, planVersionId: string): Promise<PlanVersionWithPlan> {
  const [row] = await db
    .select({ version: planVersions, plan: plans })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(planVersions.id, planVersionId));
  if (!row) throw new DomainError("not_found", "plan_version_not_found", "The plan version does not exist.");
  return { ...row.version, plan: row.plan };
}
