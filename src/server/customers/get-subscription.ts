import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planVersions, plans, subscriptions, type PlanVersion, type Plan, type Subscription } from "@/db/schema";
import { periodContaining, type BillingPeriod } from "./billing-period";

export type SubscriptionView = {
  subscription: Subscription;
  planVersion: PlanVersion;
  plan: Plan;
  /** The billing period containing `at`. */
  currentPeriod: BillingPeriod;
};

/** The customer's live (not canceled) subscription with its plan version, or undefined. */
export async function getLiveSubscription(db: Db, customerId: string, at: Date): Promise<SubscriptionView | undefined> {
  const [row] = await db
    .select({ subscription: subscriptions, planVersion: planVersions, plan: plans })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, "canceled")))
    .limit(1);
  if (!row) return undefined;
  return { ...row, currentPeriod: periodContaining(row.subscription.billingAnchor, row.planVersion.billingInterval, at) };
}

/** Every subscription the customer has had, newest first (bounded). */
export async function listSubscriptions(db: Db, customerId: string) {
  return db
    .select({ subscription: subscriptions, planVersion: planVersions, plan: plans })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(subscriptions.customerId, customerId))
    .orderBy(desc(subscriptions.createdAt))
    .limit(100);
}
