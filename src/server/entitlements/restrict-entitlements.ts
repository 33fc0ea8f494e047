import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { entitlementRestrictions, type EntitlementRestrictionScope } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";
import { markEntitlementsChanged } from "./mark-entitlements-changed";

export type RestrictEntitlementsInput = { customerId: string; scope: EntitlementRestrictionScope; reason: string };

/**
 * The dunning hook: restricts a customer's usage-based features (`usage_based`) or every
 * feature (`all`); they answer `subscription_inactive` from the next check on, in every
 * instance. Call inside the caller's transaction (it bumps the entitlement version and
 * records the audit there). Re-restricting replaces the scope and reason.
 */
export async function restrictEntitlements(db: Db, actor: Actor, input: RestrictEntitlementsInput): Promise<void> {
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) throw new DomainError("invalid", "invalid_reason", "Say why (3 to 500 characters).");
  const [before] = await db.select().from(entitlementRestrictions).where(eq(entitlementRestrictions.customerId, input.customerId));
  await db
    .insert(entitlementRestrictions)
    .values({ customerId: input.customerId, scope: input.scope, reason, createdBy: `${actor.type}:${actor.id}` })
    .onConflictDoUpdate({ target: entitlementRestrictions.customerId, set: { scope: input.scope, reason } });
  await markEntitlementsChanged(db, input.customerId);
  await recordAudit(db, {
    actor,
    action: "entitlements.restrict",
    objectType: "customer",
    objectId: input.customerId,
    reason,
    before: before ? { scope: before.scope, reason: before.reason } : null,
    after: { scope: input.scope, reason },
  });
}

/** Lifts the restriction (payment recovered). Returns false when there was none. */
export async function liftEntitlementRestriction(db: Db, actor: Actor, input: { customerId: string; reason: string }): Promise<boolean> {
  const deleted = await db.delete(entitlementRestrictions).where(eq(entitlementRestrictions.customerId, input.customerId)).returning();
  const [before] = deleted;
  if (!before) return false;
  await markEntitlementsChanged(db, input.customerId);
  await recordAudit(db, {
    actor,
    action: "entitlements.restriction.lift",
    objectType: "customer",
    objectId: input.customerId,
    reason: input.reason,
    before: { scope: before.scope, reason: before.reason },
    after: null,
  });
  return true;
}
