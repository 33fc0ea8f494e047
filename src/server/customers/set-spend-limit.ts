import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { subscriptions } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";

export type SetSpendLimitInput = { customerId: string; spendLimitMicros: bigint | null; reason: string };

/** A hard monthly limit on usage-based charges (null removes it). Takes effect on the next check. */
export async function setSpendLimit(db: Db, actor: Actor, clock: Clock, input: SetSpendLimitInput) {
  if (input.spendLimitMicros !== null && input.spendLimitMicros < 0n) {
    throw new DomainError("invalid", "invalid_spend_limit", "A spend limit cannot be negative.");
  }
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled")))
      .for("update");
    if (!before) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription to limit.");
    const [after] = await tx
      .update(subscriptions)
      .set({ spendLimitMicros: input.spendLimitMicros, updatedAt: clock.now() })
      .where(eq(subscriptions.id, before.id))
      .returning();
    await markEntitlementsChanged(tx, input.customerId);
    await recordAudit(tx, {
      actor,
      action: "subscription.spend_limit.set",
      objectType: "customer",
      objectId: input.customerId,
      reason: input.reason,
      before: { spendLimitMicros: before.spendLimitMicros },
      after: { spendLimitMicros: after?.spendLimitMicros ?? null },
    });
    return after;
  });
}
