import { and, asc, desc, gt, ilike, inArray, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { plans, planVersions, type Plan, type PlanVersionStatus } from "@/db/schema";
import { searchPattern } from "./list-meters";
import { parseInput } from "./parse-input";

export const listPlansInputSchema = z.object({
  limit: z.number().int().min(1).max(100).default(50),
  /** The last plan key of the previous page. */
  afterKey: z.string().max(64).optional(),
  /** Part of the key or name, any case (the console's plan picker searches as you type). */
  search: z.string().trim().max(100).optional(),
});
export type ListPlansInput = z.input<typeof listPlansInputSchema>;

export type PlanVersionSummary = {
  id: string;
  version: number;
  status: PlanVersionStatus;
  currency: string;
  billingInterval: "month" | "year";
  baseFeePerSeatMicros: bigint;
  publishedAt: Date | null;
};

export type ListPlansResult = {
  plans: (Plan & { versions: PlanVersionSummary[]; currentVersionId: string | null })[];
  nextAfterKey: string | null;
};

/** A page of plans by key, each with its versions (newest first) and the current published one. */
export async function listPlans(db: Db, input: ListPlansInput = {}): Promise<ListPlansResult> {
  const { limit, afterKey, search } = parseInput(listPlansInputSchema, input);
  const pattern = searchPattern(search);
  const page = await db
    .select()
    .from(plans)
    .where(and(afterKey === undefined ? undefined : gt(plans.key, afterKey), pattern ? or(ilike(plans.key, pattern), ilike(plans.name, pattern)) : undefined))
    .orderBy(asc(plans.key))
    .limit(limit + 1);
  const visible = page.slice(0, limit);
  const versions = await listPlanVersionSummaries(db, visible.map((plan) => plan.id));
  return {
    plans: visible.map((plan) => {
      const own = versions.filter((version) => version.planId === plan.id).map(({ planId: _planId, ...summary }) => summary);
      return { ...plan, versions: own, currentVersionId: own.find((version) => version.status === "published")?.id ?? null };
    }),
    nextAfterKey: page.length > limit ? (visible.at(-1)?.key ?? null) : null,
  };
}

/** The versions of these plans, newest first within each plan. */
export async function listPlanVersionSummaries(db: Db, planIds: readonly string[]): Promise<(PlanVersionSummary & { planId: string })[]> {
  if (planIds.length === 0) return [];
  return db
    .select({
      id: planVersions.id,
      planId: planVersions.planId,
      version: planVersions.version,
      status: planVersions.status,
      currency: planVersions.currency,
      billingInterval: planVersions.billingInterval,
      baseFeePerSeatMicros: planVersions.baseFeePerSeatMicros,
      publishedAt: planVersions.publishedAt,
    })
    .from(planVersions)
    .where(inArray(planVersions.planId, [...planIds]))
    .orderBy(planVersions.planId, desc(planVersions.version));
}
