import { and, eq, max } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { plans, planVersions, type PlanVersion } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { planVersionTermsSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const createPlanVersionInputSchema = z
  .object({
    planId: z.uuid(),
    /** Start from a copy of this version's terms (the usual way to change a price). */
    fromVersionId: z.uuid().optional(),
    terms: planVersionTermsSchema.optional(),
  })
  .refine((input) => (input.fromVersionId === undefined) !== (input.terms === undefined), {
    message: "Give either the terms of the new version or a version to copy them from.",
  });
export type CreatePlanVersionInput = z.input<typeof createPlanVersionInputSchema>;

/** Creates the plan's next version as a draft. A plan has at most one draft at a time. */
export async function createPlanVersion(
  db: Db,
  context: CatalogMutationContext,
  input: CreatePlanVersionInput,
): Promise<PlanVersion> {
  const parsed = parseInput(createPlanVersionInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [plan] = await tx.select({ id: plans.id }).from(plans).where(eq(plans.id, parsed.planId));
      if (!plan) throw new DomainError("not_found", "plan_not_found", "The plan does not exist.");
      const terms = parsed.terms ?? (await copyTerms(tx, parsed.planId, parsed.fromVersionId));
      const [latest] = await tx
        .select({ version: max(planVersions.version) })
        .from(planVersions)
        .where(eq(planVersions.planId, parsed.planId));
      const [version] = await tx
        .insert(planVersions)
        .values({ planId: parsed.planId, version: (latest?.version ?? 0) + 1, status: "draft", ...terms })
        .returning();
      if (!version) throw new Error("insert returned no plan version");
      await recordCatalogAudit(tx, context, {
        action: "catalog.plan_version.create",
        objectType: "plan_version",
        objectId: version.id,
        after: version,
      });
      return version;
    });
  } catch (error) {
    if (isUniqueViolation(error, "catalog_plan_versions_one_draft_key")) {
      throw new DomainError("conflict", "draft_exists", "This plan already has a draft version; edit or publish it first.");
    }
    if (isUniqueViolation(error, "catalog_plan_versions_plan_version_key")) {
      throw new DomainError("conflict", "plan_version_conflict", "Another version was created at the same time; try again.");
    }
    throw error;
  }
}

async function copyTerms(db: Db, planId: string, fromVersionId: string | undefined) {
  if (fromVersionId === undefined) throw new Error("terms or fromVersionId is required");
  const [source] = await db
    .select()
    .from(planVersions)
    .where(and(eq(planVersions.id, fromVersionId), eq(planVersions.planId, planId)));
  if (!source) throw new DomainError("not_found", "plan_version_not_found", "The version to copy does not exist in this plan.");
  return {
    currency: source.currency,
    billingInterval: source.billingInterval,
    baseFeePerSeatMicros: source.baseFeePerSeatMicros,
    trialDays: source.trialDays,
    entitlements: source.entitlements,
    usagePrices: source.usagePrices,
  };
}
