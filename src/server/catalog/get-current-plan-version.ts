import { and, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { plans, planVersions } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { PlanVersionWithPlan } from "./get-plan-version";

/** The version new subscriptions to a plan get: its latest published version. */
export async function getCurrentPlanVersion(db: Db, planKey: string): Promise<PlanVersionWithPlan> {
  const [row] = await db
    .select({ version: planVersions, plan: plans })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(plans.key, planKey), eq(planVersions.status, "published")))
    .orderBy(desc(planVersions.version))
    .limit(1);
  if (!row) throw new DomainError("not_found", "plan_not_published", `Plan ${planKey} has no published version.`);
  return { ...row.version, plan: row.plan };
}
