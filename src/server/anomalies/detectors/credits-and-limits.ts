import { microsToDecimal } from "@/server/pricing/decimal";
import type { AnomalyCandidate } from "../candidate";
import type { AnomalySettings } from "../settings";

const dayMs = 86_400_000;

/** Amounts in `observed` / `expected` are major units (dollars), exact. */
const major = (micros: bigint) => microsToDecimal(micros).toFixed();

export type GrantFact = {
  grantId: string;
  customerId: string;
  category: string;
  currency: string;
  amountMicros: bigint;
  remainingMicros: bigint;
  effectiveAt: Date;
  expiresAt: Date | null;
};

/** Credits burned per customer: the sum of `credit_burns.covered_micros` in two windows. */
export type BurnFact = { customerId: string; currency: string; recentMicros: bigint; baselineMicros: bigint; recentDays: number; baselineDays: number; firstBurnAt: Date | null };

/**
 * Credits burning much faster than the customer's own baseline (the last `recentDays` against the
 * daily average of the `baselineDays` before), and grants about to expire with a large unused
 * remainder. Burn happens when invoices take credits, so the windows are long enough to hold one.
 */
export function detectCreditBurn(input: { grants: readonly GrantFact[]; burns: readonly BurnFact[]; asOf: Date }, settings: AnomalySettings, describeMoney: (micros: bigint, currency: string) => string): AnomalyCandidate[] {
  const candidates: AnomalyCandidate[] = [];
  const grantsByCustomer = new Map<string, GrantFact[]>();
  for (const grant of input.grants) grantsByCustomer.set(grant.customerId, [...(grantsByCustomer.get(grant.customerId) ?? []), grant]);
  for (const burn of input.burns) {
    if (burn.recentMicros <= 0n || burn.firstBurnAt === null) continue;
    if (input.asOf.getTime() - burn.firstBurnAt.getTime() < (burn.recentDays + 7) * dayMs) continue;
    const recentDaily = burn.recentMicros / BigInt(burn.recentDays);
    const baselineDaily = burn.baselineMicros / BigInt(Math.max(burn.baselineDays, 1));
    if (recentDaily < settings.micros["credit_burn.min_daily_micros"]) continue;
    // recentDaily ≥ ratio × baselineDaily, in integers (ratio to 3 decimals).
    const ratioMilli = BigInt(Math.round(settings["credit_burn.ratio"] * 1000));
    if (recentDaily * 1000n < ratioMilli * baselineDaily) continue;
    const grants = (grantsByCustomer.get(burn.customerId) ?? []).filter((grant) => grant.currency === burn.currency && grant.remainingMicros > 0n);
    const remaining = grants.reduce((sum, grant) => sum + grant.remainingMicros, 0n);
    const daysLeft = recentDaily > 0n ? Number(remaining / recentDaily) : null;
    const windowStart = new Date(input.asOf.getTime() - burn.recentDays * dayMs);
    candidates.push({
      kind: "credit_burn",
      customerId: burn.customerId,
      subject: `credits:${burn.currency}`,
      windowStart: new Date(Math.floor(windowStart.getTime() / dayMs) * dayMs),
      windowEnd: input.asOf,
      title: `Credits burning at ${describeMoney(recentDaily, burn.currency)}/day, ${baselineDaily > 0n ? `${(Number((recentDaily * 10n) / baselineDaily) / 10).toFixed(1)}× the usual ${describeMoney(baselineDaily, burn.currency)}/day` : "with no burn before"}${daysLeft !== null ? `; ${describeMoney(remaining, burn.currency)} left, gone in ~${daysLeft} days` : ""}`,
      observed: major(recentDaily),
      expected: major(baselineDaily),
      impactMicros: (recentDaily - baselineDaily) * BigInt(burn.recentDays),
      currency: burn.currency,
      evidence: {
        reason: "burn_rate",
        recentDays: burn.recentDays,
        baselineDays: burn.baselineDays,
        recentMicros: burn.recentMicros.toString(),
        baselineMicros: burn.baselineMicros.toString(),
        recentDailyMicros: recentDaily.toString(),
        baselineDailyMicros: baselineDaily.toString(),
        remainingMicros: remaining.toString(),
        exhaustedInDays: daysLeft,
        grants: grants.map(grantEvidence),
      },
    });
  }
  const horizonMs = settings["credit_burn.expiry_days"] * dayMs;
  for (const grant of input.grants) {
    if (grant.expiresAt === null || grant.remainingMicros < settings.micros["credit_burn.expiry_min_remaining_micros"] || grant.remainingMicros <= 0n) continue;
    const untilExpiry = grant.expiresAt.getTime() - input.asOf.getTime();
    if (untilExpiry <= 0 || untilExpiry > horizonMs) continue;
    const days = Math.max(1, Math.ceil(untilExpiry / dayMs));
    candidates.push({
      kind: "credit_burn",
      customerId: grant.customerId,
      subject: `grant:${grant.grantId}`,
      windowStart: new Date(grant.expiresAt.getTime() - horizonMs),
      windowEnd: grant.expiresAt,
      title: `${describeMoney(grant.remainingMicros, grant.currency)} of a ${grant.category} credit (${describeMoney(grant.amountMicros, grant.currency)}) expires unused in ${days} day${days === 1 ? "" : "s"} (${grant.expiresAt.toISOString().slice(0, 10)})`,
      observed: major(grant.remainingMicros),
      expected: null,
      impactMicros: grant.remainingMicros,
      currency: grant.currency,
      evidence: { reason: "expiring_unused", grant: grantEvidence(grant) },
    });
  }
  return candidates;
}

function grantEvidence(grant: GrantFact) {
  return {
    grantId: grant.grantId,
    category: grant.category,
    amountMicros: grant.amountMicros.toString(),
    remainingMicros: grant.remainingMicros.toString(),
    effectiveAt: grant.effectiveAt.toISOString(),
    expiresAt: grant.expiresAt?.toISOString() ?? null,
  };
}

export type SpendCrossingFact = { customerId: string; periodStart: Date; periodEnd: Date; limitMicros: bigint; usedMicros: bigint; currency: string; crossedAt: Date; thresholdPercent: number };
export type DenialFact = { customerId: string; day: string; featureKey: string; reason: string; count: number; firstHour: Date; lastHour: Date };

/**
 * A customer over their spend limit this period (the 100% spend warning), and a customer refused
 * `spend_limit.min_denials` checks in a day for an exhausted allowance or the spend limit.
 */
export function detectSpendLimits(input: { crossings: readonly SpendCrossingFact[]; denials: readonly DenialFact[] }, settings: AnomalySettings, describeMoney: (micros: bigint, currency: string) => string): AnomalyCandidate[] {
  const candidates: AnomalyCandidate[] = [];
  const denialsByCustomer = new Map<string, DenialFact[]>();
  for (const denial of input.denials) denialsByCustomer.set(denial.customerId, [...(denialsByCustomer.get(denial.customerId) ?? []), denial]);
  const crossed = new Set<string>();
  for (const crossing of input.crossings) {
    if (crossing.thresholdPercent < 100) continue;
    crossed.add(crossing.customerId);
    const refused = (denialsByCustomer.get(crossing.customerId) ?? []).filter((denial) => denial.reason === "spend_limit_reached");
    const refusedCount = refused.reduce((sum, denial) => sum + denial.count, 0);
    candidates.push({
      kind: "spend_limit",
      customerId: crossing.customerId,
      subject: "spend_limit",
      windowStart: crossing.periodStart,
      windowEnd: crossing.periodEnd,
      title: `Reached the spend limit of ${describeMoney(crossing.limitMicros, crossing.currency)} on ${crossing.crossedAt.toISOString().slice(0, 16).replace("T", " ")} UTC${refusedCount > 0 ? `; ${refusedCount.toLocaleString("en-US")} checks refused since` : ""}`,
      observed: major(crossing.usedMicros),
      expected: major(crossing.limitMicros),
      impactMicros: null,
      currency: crossing.currency,
      severityFloor: refusedCount >= settings["spend_limit.min_denials"] ? "high" : "medium",
      evidence: {
        reason: "spend_limit_crossed",
        limitMicros: crossing.limitMicros.toString(),
        usedMicros: crossing.usedMicros.toString(),
        crossedAt: crossing.crossedAt.toISOString(),
        periodStart: crossing.periodStart.toISOString(),
        periodEnd: crossing.periodEnd.toISOString(),
        refusedChecks: refused.map(denialEvidence),
      },
    });
  }
  for (const denial of input.denials) {
    if (denial.reason === "subscription_inactive" || denial.count < settings["spend_limit.min_denials"]) continue;
    // Refused for the spend limit after crossing it: the crossing's anomaly counts these (one cause, one anomaly).
    if (denial.reason === "spend_limit_reached" && crossed.has(denial.customerId)) continue;
    const label = denial.reason === "spend_limit_reached" ? "the spend limit" : "an exhausted allowance";
    candidates.push({
      kind: "spend_limit",
      customerId: denial.customerId,
      subject: `feature:${denial.featureKey}:${denial.reason}`,
      windowStart: new Date(`${denial.day}T00:00:00Z`),
      windowEnd: new Date(Date.parse(`${denial.day}T00:00:00Z`) + dayMs),
      title: `${denial.count.toLocaleString("en-US")} checks of ${denial.featureKey} refused on ${denial.day} for ${label}`,
      observed: String(denial.count),
      expected: null,
      impactMicros: null,
      currency: "usd",
      severityFloor: "medium",
      evidence: { reason: denial.reason === "spend_limit_reached" ? "spend_limit_refusals" : "allowance_refusals", refusedChecks: [denialEvidence(denial)] },
    });
  }
  return candidates;
}

function denialEvidence(denial: DenialFact) {
  return { day: denial.day, featureKey: denial.featureKey, reason: denial.reason, count: denial.count, firstHour: denial.firstHour.toISOString(), lastHour: denial.lastHour.toISOString() };
}
