import { and, eq, gt, inArray, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  allowanceGrants,
  entitlementRestrictions,
  meters,
  planVersions,
  plans,
  subscriptions,
  type BillingInterval,
  type Entitlement,
  type EntitlementRestrictionScope,
  type MeterAggregation,
  type SubscriptionStatus,
  type UsagePrice,
} from "@/db/schema";

export type MeterInfo = { id: string; key: string; aggregation: MeterAggregation };

export type AllowanceGrantTerms = { featureKey: string; meterKey: string; quantityPerPeriod: string; startsAt: Date; endsAt: Date };

/**
 * Everything that decides what a customer may use except usage itself: cached per customer and
 * rebuilt when `entitlement_versions.version` moves. Holds no time-dependent conclusion (periods
 * and grant windows are evaluated at check time), so a cached definition never goes stale by
 * the clock alone.
 */
export type EntitlementDefinition = {
  customerId: string;
  externalId: string;
  version: bigint;
  subscription: {
    status: SubscriptionStatus;
    billingAnchor: Date;
    billingInterval: BillingInterval;
    spendLimitMicros: bigint | null;
    currency: string;
    planKey: string;
    planName: string;
    planVersion: number;
  } | null;
  entitlements: Entitlement[];
  usagePrices: UsagePrice[];
  grants: AllowanceGrantTerms[];
  restriction: { scope: EntitlementRestrictionScope; reason: string } | null;
  /** Meters named by the plan's entitlements, usage prices and grants, by key. */
  meters: Map<string, MeterInfo>;
};

/** A customer rarely holds more than a few grants; the bound keeps one definition small. */
const grantsMax = 500;

/**
 * Reads a customer's definition. `version` must have been read before this (the caller's
 * version point read): a change committing in between leaves the definition newer than its
 * tag, and the next check rebuilds it — never the reverse.
 */
export async function loadEntitlementDefinition(
  db: Db,
  customer: { id: string; externalId: string; version: bigint },
  now: Date,
): Promise<EntitlementDefinition> {
  const [live] = await db
    .select({ subscription: subscriptions, planVersion: planVersions, plan: plans })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(subscriptions.customerId, customer.id), ne(subscriptions.status, "canceled")))
    .limit(1);
  const grantRows = await db
    .select({
      featureKey: allowanceGrants.featureKey,
      meterKey: allowanceGrants.meterKey,
      quantityPerPeriod: allowanceGrants.quantityPerPeriod,
      startsAt: allowanceGrants.startsAt,
      endsAt: allowanceGrants.endsAt,
    })
    .from(allowanceGrants)
    // Grants that already ended can never apply again (time only moves forward).
    .where(and(eq(allowanceGrants.customerId, customer.id), gt(allowanceGrants.endsAt, now)))
    .limit(grantsMax);
  const [restriction] = await db
    .select({ scope: entitlementRestrictions.scope, reason: entitlementRestrictions.reason })
    .from(entitlementRestrictions)
    .where(eq(entitlementRestrictions.customerId, customer.id));
  const entitlements = live?.planVersion.entitlements ?? [];
  const usagePrices = live?.planVersion.usagePrices ?? [];
  const meterKeys = new Set<string>([
    ...entitlements.flatMap((entitlement) => (entitlement.kind === "metered" ? [entitlement.meterKey] : [])),
    ...usagePrices.map((price) => price.meterKey),
    ...grantRows.map((grant) => grant.meterKey),
  ]);
  const meterRows =
    meterKeys.size === 0
      ? []
      : await db
          .select({ id: meters.id, key: meters.key, aggregation: meters.aggregation })
          .from(meters)
          .where(inArray(meters.key, [...meterKeys]));
  return {
    customerId: customer.id,
    externalId: customer.externalId,
    version: customer.version,
    subscription: live
      ? {
          status: live.subscription.status,
          billingAnchor: live.subscription.billingAnchor,
          billingInterval: live.planVersion.billingInterval,
          spendLimitMicros: live.subscription.spendLimitMicros,
          currency: live.planVersion.currency,
          planKey: live.plan.key,
          planName: live.plan.name,
          planVersion: live.planVersion.version,
        }
      : null,
    entitlements,
    usagePrices,
    grants: grantRows,
    restriction: restriction ?? null,
    meters: new Map(meterRows.map((meter) => [meter.key, meter])),
  };
}
