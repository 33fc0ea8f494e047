import type { GrantCategory, GrantScope } from "@/db/schema";

/** What burn-down needs to know about a grant; the same shape serves the database and the test model. */
export type BurnCandidate = {
  id: string;
  priority: number;
  category: GrantCategory;
  effectiveAt: Date;
  expiresAt: Date | null;
  appliesTo: GrantScope;
  productKeys: readonly string[];
  meterKeys: readonly string[];
  /** Remaining balance (micro-units). */
  availableMicros: bigint;
};

export type BurnScope = { productKey?: string | null; meterKey?: string | null };

/** Promotional credit is spent before goodwill, goodwill before paid (paid credit is the customer's own money). */
export const categoryBurnRank: Record<GrantCategory, number> = { promotional: 0, goodwill: 1, paid: 2 };

/**
 * The burn-down order: priority (lower first), then earliest expiry (no expiry last), then
 * promotional → goodwill → paid, then oldest (effective_at) first, then id so the order is total.
 */
export function compareForBurn(a: BurnCandidate, b: BurnCandidate): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const aExpiry = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const bExpiry = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (aExpiry !== bExpiry) return aExpiry < bExpiry ? -1 : 1;
  const rank = categoryBurnRank[a.category] - categoryBurnRank[b.category];
  if (rank !== 0) return rank;
  const age = a.effectiveAt.getTime() - b.effectiveAt.getTime();
  if (age !== 0) return age;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a grant may pay for usage of this product / meter. */
export function appliesToScope(grant: Pick<BurnCandidate, "appliesTo" | "productKeys" | "meterKeys">, scope: BurnScope): boolean {
  if (grant.appliesTo === "all") return true;
  if (grant.appliesTo === "products") return !!scope.productKey && grant.productKeys.includes(scope.productKey);
  return !!scope.meterKey && grant.meterKeys.includes(scope.meterKey);
}

/** Effective at `at` and not yet expired at `at` (expiry is exclusive: a grant expiring at T pays for nothing at T). */
export function isLiveAt(grant: Pick<BurnCandidate, "effectiveAt" | "expiresAt">, at: Date): boolean {
  return grant.effectiveAt.getTime() <= at.getTime() && (grant.expiresAt === null || grant.expiresAt.getTime() > at.getTime());
}

export type BurnAllocationPlan = { allocations: Array<{ grantId: string; amountMicros: bigint }>; coveredMicros: bigint; uncoveredMicros: bigint };

/** Pure: takes from eligible grants in burn order until `amountMicros` is covered or the grants run out. */
export function planBurn(candidates: readonly BurnCandidate[], amountMicros: bigint, scope: BurnScope, at: Date, allocationsMax: number): BurnAllocationPlan {
  const eligible = candidates
    .filter((grant) => grant.availableMicros > 0n && isLiveAt(grant, at) && appliesToScope(grant, scope))
    .sort(compareForBurn);
  const allocations: BurnAllocationPlan["allocations"] = [];
  let remaining = amountMicros;
  for (const grant of eligible) {
    if (remaining === 0n || allocations.length >= allocationsMax) break;
    const take = grant.availableMicros < remaining ? grant.availableMicros : remaining;
    allocations.push({ grantId: grant.id, amountMicros: take });
    remaining -= take;
  }
  return { allocations, coveredMicros: amountMicros - remaining, uncoveredMicros: remaining };
}
