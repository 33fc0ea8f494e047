import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { planVersions, type PlanVersion } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { planVersionTermsSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const updatePlanVersionDraftInputSchema = z.object({
  planVersionId: z.uuid(),
  /** Only the terms given change. */
  terms: planVersionTermsSchema.partial(),
});
export type UpdatePlanVersionDraftInput = z.input<typeof updatePlanVersionDraftInputSchema>;

/** Changes a draft's terms. Meaning is checked at publish, so a draft may be incomplete. */
export async function updatePlanVersionDraft(
  db: Db,
  context: CatalogMutationContext & { clock: Clock },
  input: UpdatePlanVersionDraftInput,
): Promise<PlanVersion> {
  const parsed = parseInput(updatePlanVersionDraftInputSchema, input);
  return db.transaction(async (tx) => {
    const before = await lockPlanVersion(tx, parsed.planVersionId);
    if (before.status !== "draft") {
      throw new DomainError(
        "conflict",
        "plan_version_not_draft",
        `Version ${before.version} is ${before.status} and cannot change; create a new version from it instead.`,
      );
    }
    const [after] = await tx
      .update(planVersions)
      .set({ ...parsed.terms, updatedAt: context.clock.now() })
      .where(eq(planVersions.id, before.id))
      .returning();
    if (!after) throw new Error("update returned no plan version");
    await recordCatalogAudit(tx, context, {
      action: "catalog.plan_version.update_draft",
      objectType: "plan_version",
      objectId: after.id,
      before,
      after,
    });
    return after;
  });
}

/** Locks a version for the rest of the transaction, so publish/edit/archive decide on a fresh row. */
export async function lockPlanVersion(db: Db, planVersionId: string): Promise<PlanVersion> {
  const [version] = await db.select().from(planVersions).where(eq(planVersions.id, planVersionId)).for("update");
  if (!version) throw new DomainError("not_found", "plan_version_not_found", "The plan version does not exist.");
  return version;
}
