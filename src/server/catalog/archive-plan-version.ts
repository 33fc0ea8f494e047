import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { planVersions, type PlanVersion } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { parseInput } from "./parse-input";
import { lockPlanVersion } from "./update-plan-version-draft";

export const archivePlanVersionInputSchema = z.object({ planVersionId: z.uuid() });
export type ArchivePlanVersionInput = z.input<typeof archivePlanVersionInputSchema>;

/**
 * Published → archived: no new subscriptions on it. Customers already on it stay (their
 * subscription keeps its `plan_version_id`, and the version's terms never change).
 */
export async function archivePlanVersion(
  db: Db,
  context: CatalogMutationContext & { clock: Clock },
  input: ArchivePlanVersionInput,
): Promise<PlanVersion> {
  const { planVersionId } = parseInput(archivePlanVersionInputSchema, input);
  return db.transaction(async (tx) => {
    const before = await lockPlanVersion(tx, planVersionId);
    if (before.status !== "published") {
      throw new DomainError(
        "conflict",
        "plan_version_not_published",
        before.status === "draft" ? "A draft is not in use; delete or publish it instead of archiving." : `Version ${before.version} is already archived.`,
      );
    }
    const now = context.clock.now();
    const [after] = await tx
      .update(planVersions)
      .set({ status: "archived", archivedAt: now, updatedAt: now })
      .where(eq(planVersions.id, before.id))
      .returning();
    if (!after) throw new Error("update returned no plan version");
    await recordCatalogAudit(tx, context, {
      action: "catalog.plan_version.archive",
      objectType: "plan_version",
      objectId: after.id,
      before,
      after,
    });
    return after;
  });
}
