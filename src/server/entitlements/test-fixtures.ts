import crypto from "node:crypto";
import type { Db } from "@/db/client";
import { customers, features, meters, planVersions, plans, subscriptions, type Entitlement, type SubscriptionStatus, type UsagePrice } from "@/db/schema";
import { markEntitlementsChanged } from "./mark-entitlements-changed";

/** A small catalog for entitlement tests: requests (count), tokens (sum by model), a boolean and a config feature. */
export async function createEntitlementCatalog(db: Db, suffix = crypto.randomBytes(3).toString("hex")) {
  const meterKeys = { requests: `requests_${suffix}`, tokens: `tokens_${suffix}` };
  await db.insert(meters).values([
    { key: meterKeys.requests, name: "Requests", eventType: `req.${suffix}`, aggregation: "count" },
    { key: meterKeys.tokens, name: "Tokens", eventType: `llm.${suffix}`, aggregation: "sum", valuePath: "tokens", groupBy: ["model"] },
  ]);
  const featureKeys = {
    requests: `requests_${suffix}`,
    tokens: `tokens_${suffix}`,
    sso: `sso_${suffix}`,
    beta: `beta_${suffix}`,
    tier: `tier_${suffix}`,
    extra: `extra_${suffix}`,
  };
  await db.insert(features).values([
    { key: featureKeys.requests, name: "Requests", kind: "metered" },
    { key: featureKeys.tokens, name: "Tokens", kind: "metered" },
    { key: featureKeys.sso, name: "SSO", kind: "boolean" },
    { key: featureKeys.beta, name: "Beta", kind: "boolean" },
    { key: featureKeys.tier, name: "Support tier", kind: "config" },
    { key: featureKeys.extra, name: "Extra (not in any plan)", kind: "metered" },
  ]);
  const [plan] = await db.insert(plans).values({ key: `plan_${suffix}`, name: `Plan ${suffix}` }).returning();
  let version = 0;
  const publish = async (entitlements: Entitlement[], usagePrices: UsagePrice[] = []) => {
    version += 1;
    const [row] = await db
      .insert(planVersions)
      .values({ planId: plan!.id, version, status: "published", publishedAt: new Date("2026-01-01T00:00:00Z"), currency: "usd", billingInterval: "month", entitlements, usagePrices })
      .returning();
    return row!;
  };
  return { meterKeys, featureKeys, publish };
}

export async function createSubscribedCustomer(
  db: Db,
  options: { planVersionId: string; status?: SubscriptionStatus; anchor?: Date; spendLimitMicros?: bigint | null },
) {
  const externalId = `cus_${crypto.randomBytes(5).toString("hex")}`;
  const [customer] = await db.insert(customers).values({ externalId, name: externalId, email: `${externalId}@example.com`, kind: "individual" }).returning();
  await db.insert(subscriptions).values({
    customerId: customer!.id,
    planVersionId: options.planVersionId,
    status: options.status ?? "active",
    billingAnchor: options.anchor ?? new Date("2026-01-15T00:00:00Z"),
    spendLimitMicros: options.spendLimitMicros ?? null,
  });
  await markEntitlementsChanged(db, customer!.id);
  return { id: customer!.id, externalId };
}
