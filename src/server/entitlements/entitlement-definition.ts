import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import type {
  BillingInterval,
  Entitlement,
  EntitlementRestrictionScope,
  MeterAggregation,
  SubscriptionStatus,
  UsagePrice,
} from "@/db/schema";
import { executePreparedRows } from "@/db/execute-prepared";

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
    /** Percentages of the spend limit at which the customer is warned, ascending. */
    spendWarningThresholdsPercent: number[];
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

type DefinitionRow = {
  id: string;
  external_id: string;
  version: string;
  live: {
    status: SubscriptionStatus;
    billing_anchor: string;
    spend_limit_micros: string | null;
    spend_warning_thresholds_percent: number[];
    billing_interval: BillingInterval;
    currency: string;
    plan_version: number;
    entitlements: Entitlement[];
    usage_prices: UsagePrice[];
    plan_key: string;
    plan_name: string;
  } | null;
  grants: [featureKey: string, meterKey: string, quantityPerPeriod: string, startsAt: string, endsAt: string][];
  restriction: [scope: EntitlementRestrictionScope, reason: string] | null;
  meters: [id: string, key: string, aggregation: MeterAggregation][];
};

/**
 * Reads a customer's definition — by id or by external id — in one statement, together with
 * the entitlement version it is tagged with, so the tag and the definition come from one
 * snapshot (a change committing after it moves the version, and the next check rebuilds).
 * Undefined when no customer matches.
 */
export async function loadEntitlementDefinition(
  db: Db,
  customer: { id: string } | { externalId: string },
  now: Date,
): Promise<EntitlementDefinition | undefined> {
  const where: SQL = "id" in customer ? sql`c.id = ${customer.id}` : sql`c.external_id = ${customer.externalId}`;
  const [row] = await executePreparedRows<DefinitionRow>(
    db,
    sql`with customer as (
          select c.id, c.external_id, coalesce(v.version, 0)::text as version
          from customers c left join entitlement_versions v on v.customer_id = c.id
          where ${where}
        ),
        live as (
          select s.status, s.billing_anchor, s.spend_limit_micros::text as spend_limit_micros,
                 s.spend_warning_thresholds_percent,
                 pv.billing_interval, pv.currency, pv.version as plan_version, pv.entitlements, pv.usage_prices,
                 p.key as plan_key, p.name as plan_name
          from subscriptions s
          join catalog_plan_versions pv on pv.id = s.plan_version_id
          join catalog_plans p on p.id = pv.plan_id
          where s.customer_id = (select id from customer) and s.status <> 'canceled'
          limit 1
        ),
        grants as (
          -- Grants that already ended can never apply again (time only moves forward).
          select feature_key, meter_key, quantity_per_period::text as quantity_per_period, starts_at, ends_at
          from allowance_grants
          where customer_id = (select id from customer) and ends_at > ${now.toISOString()}::timestamptz
          limit ${grantsMax}
        )
        select c.id, c.external_id, c.version,
               (select row_to_json(live) from live) as live,
               (select coalesce(json_agg(json_build_array(g.feature_key, g.meter_key, g.quantity_per_period, g.starts_at, g.ends_at)), '[]'::json)
                from grants g) as grants,
               (select json_build_array(r.scope, r.reason) from entitlement_restrictions r where r.customer_id = c.id) as restriction,
               (select coalesce(json_agg(json_build_array(m.id, m.key, m.aggregation)), '[]'::json)
                from catalog_meters m
                where m.key in (
                  select e->>'meterKey' from live, jsonb_array_elements(live.entitlements) e where e->>'kind' = 'metered'
                  union all select u->>'meterKey' from live, jsonb_array_elements(live.usage_prices) u
                  union all select meter_key from grants)) as meters
        from customer c`,
  );
  if (!row) return undefined;
  const live = row.live;
  return {
    customerId: row.id,
    externalId: row.external_id,
    version: BigInt(row.version),
    subscription: live
      ? {
          status: live.status,
          billingAnchor: new Date(live.billing_anchor),
          billingInterval: live.billing_interval,
          spendLimitMicros: live.spend_limit_micros === null ? null : BigInt(live.spend_limit_micros),
          spendWarningThresholdsPercent: live.spend_warning_thresholds_percent,
          currency: live.currency,
          planKey: live.plan_key,
          planName: live.plan_name,
          planVersion: live.plan_version,
        }
      : null,
    entitlements: live?.entitlements ?? [],
    usagePrices: live?.usage_prices ?? [],
    grants: row.grants.map(([featureKey, meterKey, quantityPerPeriod, startsAt, endsAt]) => ({
      featureKey,
      meterKey,
      quantityPerPeriod,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
    })),
    restriction: row.restriction ? { scope: row.restriction[0], reason: row.restriction[1] } : null,
    meters: new Map(row.meters.map(([id, key, aggregation]) => [key, { id, key, aggregation }])),
  };
}
