import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditLimits, type Role } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";

/**
 * The largest goodwill credit one person of a role may issue without a second person's approval,
 * when no `credit_limits` row overrides it: support $100, finance and admin $5,000. Product
 * cannot issue credits at all (no `grants.issue` permission), hence 0.
 */
export const defaultCreditLimitsMicros: Record<Role, bigint> = {
  support: 100_000_000n,
  finance: 5_000_000_000n,
  admin: 5_000_000_000n,
  product: 0n,
};

export async function getCreditLimit(db: Db, role: Role): Promise<bigint> {
  const [row] = await db.select({ limitMicros: creditLimits.limitMicros }).from(creditLimits).where(eq(creditLimits.role, role));
  return row?.limitMicros ?? defaultCreditLimitsMicros[role];
}

/** Changes a role's limit (admin). Audited in the same transaction. */
export async function setCreditLimit(db: Db, actor: Actor, input: { role: Role; limitMicros: bigint; reason: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getCreditLimit(tx, input.role);
    await tx
      .insert(creditLimits)
      .values({ role: input.role, limitMicros: input.limitMicros, updatedBy: actor.label })
      .onConflictDoUpdate({ target: creditLimits.role, set: { limitMicros: input.limitMicros, updatedBy: actor.label, updatedAt: new Date() } });
    await recordAudit(tx, {
      actor,
      action: "grant.limit.set",
      objectType: "credit_limit",
      objectId: input.role,
      reason: input.reason,
      before: { limitMicros: before },
      after: { limitMicros: input.limitMicros },
    });
  });
}
