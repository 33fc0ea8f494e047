import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { FeatureKind } from "@/db/schema";
import { periodContaining, type BillingPeriod } from "@/server/customers/billing-period";
import { Decimal, decimalToString } from "@/server/pricing/decimal";
import type { EntitlementDefinition, MeterInfo } from "./entitlement-definition";
import { readPeriodUsage, type MeterUsage } from "./read-period-usage";
import { marginalCostMicros, rateUsageMicros } from "./rate-spend";

/** Stable codes: clients branch on them. */
export const entitlementReasons = [
  "ok",
  "not_in_plan",
  "allowance_exhausted",
  "spend_limit_reached",
  "subscription_inactive",
  "unknown_customer",
  "unknown_feature",
  "feature_disabled",
] as const;
export type EntitlementReason = (typeof entitlementReasons)[number];

export type EntitlementDecision = {
  allowed: boolean;
  reason: EntitlementReason;
  feature: string;
  kind: FeatureKind | null;
  /** Allowance for the period (plan + grants), exact decimal; null = unlimited or not metered. */
  limit: string | null;
  /** Usage this period plus pending holds; null when not metered. */
  used: string | null;
  remaining: string | null;
  resetsAt: Date | null;
  overage: "bill" | "block" | null;
  /** A config feature's value. */
  value?: string | number | boolean;
  /** Set when a spend limit applies to this feature: the period's rated usage plus holds. */
  spend?: { limitMicros: bigint; usedMicros: bigint };
};

/** What a feature is for this customer, before usage. */
export type FeatureTerms =
  | { kind: "missing" }
  | { kind: "boolean"; enabled: boolean }
  | { kind: "config"; value: string | number | boolean }
  | { kind: "metered"; meter: MeterInfo | undefined; allowance: Decimal | null; overage: "bill" | "block" };

const activeStatuses = new Set(["trialing", "active", "past_due"]);

/** Plan entitlement plus allowance grants active at `now`; a grant alone makes a feature metered with a hard limit. */
export function featureTerms(definition: EntitlementDefinition, featureKey: string, now: Date): FeatureTerms {
  const planned = definition.entitlements.find((entitlement) => entitlement.featureKey === featureKey);
  const grants = definition.grants.filter(
    (grant) => grant.featureKey === featureKey && grant.startsAt.getTime() <= now.getTime() && now.getTime() < grant.endsAt.getTime(),
  );
  const granted = grants.reduce((sum, grant) => sum.plus(grant.quantityPerPeriod), new Decimal(0));
  if (planned?.kind === "boolean") return { kind: "boolean", enabled: planned.enabled };
  if (planned?.kind === "config") return { kind: "config", value: planned.value };
  if (planned?.kind === "metered") {
    return {
      kind: "metered",
      meter: definition.meters.get(planned.meterKey),
      allowance: planned.allowancePerPeriod === null ? null : new Decimal(planned.allowancePerPeriod).plus(granted),
      overage: planned.overage,
    };
  }
  const [first] = grants;
  if (first) return { kind: "metered", meter: definition.meters.get(first.meterKey), allowance: granted, overage: "block" };
  return { kind: "missing" };
}

export function currentPeriod(definition: EntitlementDefinition, now: Date): BillingPeriod | null {
  const subscription = definition.subscription;
  return subscription ? periodContaining(subscription.billingAnchor, subscription.billingInterval, now) : null;
}

export type Holds = { quantityByFeature: Map<string, Decimal>; amountMicros: bigint };

/** Pending, unexpired holds of the customer: a hold past its expiry no longer counts, whether or not the worker has marked it. */
export async function readHolds(db: Db, customerId: string, now: Date): Promise<Holds> {
  const rows = await executeRows<{ feature_key: string; quantity: string; amount_micros: string }>(
    db,
    sql`select feature_key, sum(quantity)::text as quantity, sum(amount_micros)::text as amount_micros
        from entitlement_reservations
        where customer_id = ${customerId} and status = 'pending' and expires_at > ${now.toISOString()}::timestamptz
        group by feature_key limit 1000`,
  );
  return {
    quantityByFeature: new Map(rows.map((row) => [row.feature_key, new Decimal(row.quantity)])),
    amountMicros: rows.reduce((sum, row) => sum + BigInt(row.amount_micros), 0n),
  };
}

export type EvaluationContext = { usage: Map<string, MeterUsage>; holds: Holds; period: BillingPeriod | null };

/**
 * Reads what the decision on `featureKeys` needs: usage of their meters (and of every priced
 * meter when a spend limit applies) and the holds.
 */
export async function readEvaluationContext(
  db: Db,
  definition: EntitlementDefinition,
  featureKeys: readonly string[],
  now: Date,
  options: { withSpend?: boolean } = {},
): Promise<EvaluationContext> {
  const period = currentPeriod(definition, now);
  const meters = new Map<string, MeterInfo>();
  let needsSpend = options.withSpend === true && definition.subscription?.spendLimitMicros != null;
  for (const featureKey of featureKeys) {
    const terms = featureTerms(definition, featureKey, now);
    if (terms.kind !== "metered" || !terms.meter) continue;
    meters.set(terms.meter.key, terms.meter);
    if (terms.overage === "bill" && definition.subscription?.spendLimitMicros != null) needsSpend = true;
  }
  if (needsSpend) {
    for (const { meterKey } of definition.usagePrices) {
      const meter = definition.meters.get(meterKey);
      if (meter) meters.set(meter.key, meter);
    }
  }
  const usage =
    period && meters.size > 0
      ? await readPeriodUsage(db, { subject: definition.externalId, meters: [...meters.values()], start: period.start, end: period.end })
      : new Map<string, MeterUsage>();
  const holds = meters.size > 0 ? await readHolds(db, definition.customerId, now) : { quantityByFeature: new Map(), amountMicros: 0n };
  return { usage, holds, period };
}

/** The decision for `quantity` of `featureKey` (pure, given the context read above). */
export function decide(
  definition: EntitlementDefinition,
  featureKey: string,
  quantity: Decimal,
  now: Date,
  context: EvaluationContext,
  options: { featureExists: boolean },
): EntitlementDecision & { holdAmountMicros: bigint } {
  const terms = featureTerms(definition, featureKey, now);
  const base = {
    feature: featureKey,
    kind: terms.kind === "missing" ? null : terms.kind,
    limit: null,
    used: null,
    remaining: null,
    resetsAt: null,
    overage: null,
    holdAmountMicros: 0n,
  } as const;
  const deny = (reason: EntitlementReason) => ({ ...base, allowed: false, reason });
  if (terms.kind === "missing" && !options.featureExists) return deny("unknown_feature");
  const subscription = definition.subscription;
  if (!subscription || !activeStatuses.has(subscription.status)) return deny("subscription_inactive");
  if (terms.kind === "missing") return deny("not_in_plan");
  const restriction = definition.restriction;
  if (restriction && (restriction.scope === "all" || terms.kind === "metered")) return deny("subscription_inactive");
  if (terms.kind === "boolean") return { ...base, allowed: terms.enabled, reason: terms.enabled ? "ok" : "feature_disabled" };
  if (terms.kind === "config") return { ...base, allowed: true, reason: "ok", value: terms.value };
  return decideMetered(definition, featureKey, terms, quantity, context);
}

function decideMetered(
  definition: EntitlementDefinition,
  featureKey: string,
  terms: Extract<FeatureTerms, { kind: "metered" }>,
  quantity: Decimal,
  context: EvaluationContext,
): EntitlementDecision & { holdAmountMicros: bigint } {
  const meterUsage = terms.meter ? context.usage.get(terms.meter.key) : undefined;
  const held = context.holds.quantityByFeature.get(featureKey) ?? new Decimal(0);
  const used = new Decimal(meterUsage?.quantity ?? "0").plus(held);
  const remaining = terms.allowance === null ? null : Decimal.max(terms.allowance.minus(used), 0);
  const price = terms.meter ? definition.usagePrices.find((usagePrice) => usagePrice.meterKey === terms.meter?.key)?.price : undefined;
  const holdAmountMicros = price && quantity.greaterThan(0) ? marginalCostMicros(price, meterUsage, decimalToString(quantity)) : 0n;
  const spendLimitMicros = definition.subscription?.spendLimitMicros ?? null;
  const spend =
    terms.overage === "bill" && spendLimitMicros !== null
      ? { limitMicros: spendLimitMicros, usedMicros: rateUsageMicros(definition.usagePrices, context.usage) + context.holds.amountMicros }
      : undefined;
  let reason: EntitlementReason = "ok";
  if (terms.overage === "block" && terms.allowance !== null && used.plus(quantity).greaterThan(terms.allowance)) {
    reason = "allowance_exhausted";
  } else if (spend && (spend.usedMicros >= spend.limitMicros || spend.usedMicros + holdAmountMicros > spend.limitMicros)) {
    reason = "spend_limit_reached";
  }
  return {
    allowed: reason === "ok",
    reason,
    feature: featureKey,
    kind: "metered",
    limit: terms.allowance === null ? null : decimalToString(terms.allowance),
    used: decimalToString(used),
    remaining: remaining === null ? null : decimalToString(remaining),
    resetsAt: context.period?.end ?? null,
    overage: terms.overage,
    ...(spend ? { spend } : {}),
    holdAmountMicros,
  };
}
