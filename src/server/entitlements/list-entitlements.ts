import type { Db } from "@/db/client";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { Decimal } from "@/server/pricing/decimal";
import { getEntitlementDefinition, resolveCustomer, resolveCustomerById, type ResolvedCustomer } from "./entitlement-cache";
import { decide, readEvaluationContext, type EntitlementDecision } from "./evaluate-entitlement";
import { rateUsageMicros } from "./rate-spend";
import { recordSpendWarnings } from "./record-spend-warnings";

export type CustomerEntitlements = {
  customerId: string;
  externalId: string;
  subscription: {
    status: string;
    planKey: string;
    planName: string;
    planVersion: number;
    currency: string;
    /** Percentages of the spend limit at which the customer is warned, once per period each. */
    spendWarningThresholdsPercent: number[];
  } | null;
  restriction: { scope: string; reason: string } | null;
  period: { start: Date; end: Date } | null;
  spendLimit: { limitMicros: bigint; usedMicros: bigint } | null;
  /** Every feature of the plan and of active grants; each answers "may one more unit be used now?". */
  features: EntitlementDecision[];
};

/** All of a customer's entitlements, by external id (API) or id (console); 404 `customer_not_found`. */
export async function listEntitlements(
  db: Db,
  customer: { externalId: string } | { customerId: string },
  options: { clock?: Clock } = {},
): Promise<CustomerEntitlements> {
  const now = (options.clock ?? systemClock).now();
  const resolved: ResolvedCustomer | undefined =
    "externalId" in customer ? await resolveCustomer(db, customer.externalId) : await resolveCustomerById(db, customer.customerId);
  if (!resolved) throw new DomainError("not_found", "customer_not_found", "No customer has that id.");
  const definition = await getEntitlementDefinition(db, resolved, now);
  const featureKeys = [
    ...new Set([
      ...definition.entitlements.map((entitlement) => entitlement.featureKey),
      ...definition.grants.filter((grant) => grant.startsAt <= now && now < grant.endsAt).map((grant) => grant.featureKey),
    ]),
  ];
  const context = await readEvaluationContext(db, definition, featureKeys, now, { withSpend: true });
  const decisions = featureKeys.map((featureKey) => {
    const { holdAmountMicros: _hold, ...decision } = decide(definition, featureKey, new Decimal(1), now, context, { featureExists: true });
    return decision;
  });
  const limitMicros = definition.subscription?.spendLimitMicros ?? null;
  // Usage that cannot be rated (rollups from before values were checked) shows the limit as spent, and warns no one.
  const rated = limitMicros === null ? null : rateUsageMicros(definition.usagePrices, context.usage);
  const spend = limitMicros === null ? null : { limitMicros, usedMicros: (rated ?? limitMicros) + context.holds.amountMicros };
  if (spend && rated !== null && context.period && definition.subscription) {
    await recordSpendWarnings(db, {
      customerId: definition.customerId,
      period: context.period,
      currency: definition.subscription.currency,
      limitMicros: spend.limitMicros,
      usedMicros: spend.usedMicros,
      thresholdsPercent: definition.subscription.spendWarningThresholdsPercent,
    });
  }
  const subscription = definition.subscription;
  return {
    customerId: definition.customerId,
    externalId: definition.externalId,
    subscription: subscription
      ? {
          status: subscription.status,
          planKey: subscription.planKey,
          planName: subscription.planName,
          planVersion: subscription.planVersion,
          currency: subscription.currency,
          spendWarningThresholdsPercent: subscription.spendWarningThresholdsPercent,
        }
      : null,
    restriction: definition.restriction,
    period: context.period ? { start: context.period.start, end: context.period.end } : null,
    spendLimit: spend,
    features: decisions,
  };
}
