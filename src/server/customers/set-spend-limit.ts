import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { subscriptions } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { emitSubscriptionEvent, subscriptionBefore } from "./subscription-events";

export type SetSpendLimitInput = {
  customerId: string;
  spendLimitMicros: bigint | null;
  /** Percentages of the limit at which the customer is warned (1–1000, at most 10); unchanged when absent. */
  warningThresholdsPercent?: readonly number[];
  reason: string;
};

export const spendWarningThresholdsMax = 10;

/**
 * A hard monthly limit on usage-based charges (null removes it), and optionally the percentages
 * of it at which the customer is warned. Takes effect on the next check.
 */
export async function setSpendLimit(db: Db, actor: Actor, clock: Clock, input: SetSpendLimitInput) {
  if (input.spendLimitMicros !== null && input.spendLimitMicros < 0n) {
    throw new DomainError("invalid", "invalid_spend_limit", "A spend limit cannot be negative.");
  }
  const thresholds = input.warningThresholdsPercent === undefined ? undefined : normalizeThresholds(input.warningThresholdsPercent);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled")))
      .for("update");
    if (!before) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription to limit.");
    const json = await subscriptionBefore(tx, before.id, clock.now());
    const [after] = await tx
      .update(subscriptions)
      .set({
        spendLimitMicros: input.spendLimitMicros,
        ...(thresholds ? { spendWarningThresholdsPercent: thresholds } : {}),
        updatedAt: clock.now(),
      })
      .where(eq(subscriptions.id, before.id))
      .returning();
    await markEntitlementsChanged(tx, input.customerId);
    await recordAudit(tx, {
      actor,
      action: "subscription.spend_limit.set",
      objectType: "customer",
      objectId: input.customerId,
      reason: input.reason,
      before: { spendLimitMicros: before.spendLimitMicros, warningThresholdsPercent: before.spendWarningThresholdsPercent },
      after: { spendLimitMicros: after?.spendLimitMicros ?? null, warningThresholdsPercent: after?.spendWarningThresholdsPercent ?? null },
    });
    await emitSubscriptionEvent(tx, "subscription.updated", before.id, clock.now(), json);
    return after;
  });
}

/** Whole percentages from 1 to 1000, at most ten, ascending and without repeats. */
export function normalizeThresholds(thresholds: readonly number[]): number[] {
  if (thresholds.length > spendWarningThresholdsMax || thresholds.some((percent) => !Number.isInteger(percent) || percent < 1 || percent > 1000)) {
    throw new DomainError(
      "invalid",
      "invalid_spend_warning_thresholds",
      `Warning thresholds are whole percentages of the limit from 1 to 1000, at most ${spendWarningThresholdsMax} of them (e.g. 50, 80, 100).`,
    );
  }
  return [...new Set(thresholds)].sort((a, b) => a - b);
}
