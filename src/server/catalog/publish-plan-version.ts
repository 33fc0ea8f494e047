import { and, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { features, meters, planVersions, type PlanVersion } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { parseInput } from "./parse-input";
import { lockPlanVersion } from "./update-plan-version-draft";
import { validatePlanVersion } from "./validate-plan-version";

export const publishPlanVersionInputSchema = z.object({ planVersionId: z.uuid() });
export type PublishPlanVersionInput = z.input<typeof publishPlanVersionInputSchema>;

/**
 * Draft → published, after checking everything that must hold to bill by it. A refusal is
 * `plan_version_invalid` with every issue in `details.issues` ({ code, message, path }).
 * From here on the version never changes (enforced by a database trigger as well).
 */
export async function publishPlanVersion(
  db: Db,
  context: CatalogMutationContext & { clock: Clock },
  input: PublishPlanVersionInput,
): Promise<PlanVersion> {
  const { planVersionId } = parseInput(publishPlanVersionInputSchema, input);
  return db.transaction(async (tx) => {
    const before = await lockPlanVersion(tx, planVersionId);
    if (before.status !== "draft") {
      throw new DomainError("conflict", "plan_version_not_draft", `Version ${before.version} is already ${before.status}.`);
    }
    const issues = validatePlanVersion(before, await loadReferences(tx, before));
    if (issues.length > 0) {
      throw new DomainError(
        "invalid",
        "plan_version_invalid",
        `Version ${before.version} cannot be published: ${issues.map((issue) => issue.message).join(" ")}`,
        { issues },
      );
    }
    const now = context.clock.now();
    const [after] = await tx
      .update(planVersions)
      .set({ status: "published", publishedAt: now, updatedAt: now })
      .where(eq(planVersions.id, before.id))
      .returning();
    if (!after) throw new Error("update returned no plan version");
    await recordCatalogAudit(tx, context, {
      action: "catalog.plan_version.publish",
      objectType: "plan_version",
      objectId: after.id,
      before,
      after,
    });
    return after;
  });
}

async function loadReferences(db: Db, version: PlanVersion) {
  const meterKeys = [
    ...new Set([
      ...version.usagePrices.map((usagePrice) => usagePrice.meterKey),
      ...version.entitlements.flatMap((entitlement) => (entitlement.kind === "metered" ? [entitlement.meterKey] : [])),
    ]),
  ];
  const featureKeys = [...new Set(version.entitlements.map((entitlement) => entitlement.featureKey))];
  const meterRows =
    meterKeys.length === 0
      ? []
      : await db.select({ key: meters.key, groupBy: meters.groupBy }).from(meters).where(inArray(meters.key, meterKeys));
  const featureRows =
    featureKeys.length === 0
      ? []
      : await db.select({ key: features.key, kind: features.kind }).from(features).where(inArray(features.key, featureKeys));
  const [published] = await db
    .select({ currency: planVersions.currency })
    .from(planVersions)
    .where(and(eq(planVersions.planId, version.planId), ne(planVersions.status, "draft")))
    .limit(1);
  return {
    metersByKey: new Map(meterRows.map((meter) => [meter.key, meter])),
    featuresByKey: new Map(featureRows.map((feature) => [feature.key, feature])),
    publishedCurrency: published?.currency ?? null,
  };
}
