import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { customers, subscriptions, type Subscription } from "@/db/schema";
import { eq } from "drizzle-orm";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { getPlanVersion } from "@/server/catalog/get-plan-version";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { createOpeningInvoice } from "@/server/invoicing/create-opening-invoice";
import { normalizeThresholds } from "./set-spend-limit";
import { emitSubscriptionEvent } from "./subscription-events";

export type CreateSubscriptionInput = {
  customerId: string;
  planVersionId: string;
  seats: number;
  /** Defaults to now; the billing periods repeat from it. */
  billingAnchor?: Date;
  /** Overrides the plan version's trial; 0 for none. */
  trialDays?: number;
  spendLimitMicros?: bigint | null;
  /** Percentages of the spend limit at which the customer is warned (default 50, 80, 100). */
  spendWarningThresholdsPercent?: readonly number[];
  /** Why (the audit log); the console asks for it. */
  reason?: string | null;
};

const dayMs = 24 * 60 * 60 * 1000;

/** Subscribes a customer to a published plan version; one live subscription per customer. */
export async function createSubscription(db: Db, actor: Actor, clock: Clock, input: CreateSubscriptionInput): Promise<Subscription> {
  const version = await getPlanVersion(db, input.planVersionId);
  const plan = version.plan;
  if (version.status !== "published") {
    throw new DomainError("precondition", "plan_version_not_published", `Version ${version.version} of ${plan.name} is ${version.status}; subscribe to a published version.`);
  }
  const now = clock.now();
  const anchor = input.billingAnchor ?? now;
  const trialDays = input.trialDays ?? version.trialDays;
  if (input.spendLimitMicros != null && input.spendLimitMicros < 0n) throw new DomainError("invalid", "invalid_spend_limit", "A spend limit cannot be negative.", undefined, { param: "spend_limit_micros" });
  const thresholds = input.spendWarningThresholdsPercent === undefined ? undefined : normalizeThresholds(input.spendWarningThresholdsPercent);
  const trialEnd = trialDays > 0 ? new Date(anchor.getTime() + trialDays * dayMs) : null;
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id, currency: customers.currency, archivedAt: customers.archivedAt }).from(customers).where(eq(customers.id, input.customerId)).for("update");
    if (!customer) throw new DomainError("not_found", "customer_not_found", "That customer does not exist.");
    if (customer.archivedAt !== null) throw new DomainError("precondition", "customer_archived", "This customer is archived; archived customers cannot start a subscription.");
    if (customer.currency !== version.currency) {
      throw new DomainError("invalid", "currency_mismatch", `The customer is billed in ${customer.currency.toUpperCase()} but the plan is priced in ${version.currency.toUpperCase()}.`);
    }
    try {
      const [created] = await tx
        .insert(subscriptions)
        .values({
          customerId: input.customerId,
          planVersionId: version.id,
          status: trialEnd && trialEnd.getTime() > now.getTime() ? "trialing" : "active",
          seats: input.seats,
          billingAnchor: anchor,
          trialEnd,
          spendLimitMicros: input.spendLimitMicros ?? null,
          ...(thresholds ? { spendWarningThresholdsPercent: thresholds } : {}),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!created) throw new Error("insert returned no row");
      await markEntitlementsChanged(tx, input.customerId);
      await recordAudit(tx, {
        actor,
        action: "subscription.create",
        objectType: "customer",
        objectId: input.customerId,
        reason: input.reason ?? null,
        after: { subscriptionId: created.id, plan: plan.key, version: version.version, seats: created.seats, status: created.status },
      });
      // No trial: Stripe invoices the first period's fee at once (`subscription_create`); so does Tally, in this
      // transaction. A trial's opening invoice comes from period close once the trial has ended.
      if (created.status === "active") await createOpeningInvoice(tx, { subscriptionId: created.id }, { clock, actor });
      await emitSubscriptionEvent(tx, "subscription.created", created.id, now);
      return created;
    } catch (error) {
      if (isUniqueViolation(error, "subscriptions_one_live_per_customer")) {
        throw new DomainError("conflict", "subscription_exists", "This customer already has a live subscription; change its plan instead.");
      }
      throw error;
    }
  });
}
