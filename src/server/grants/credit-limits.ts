import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditLimits, roles, type Role } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";

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

/** The highest limit an admin may set: $1,000,000 (larger credits always need a second person). */
export const creditLimitMicrosMax = 1_000_000_000_000n;

/** Roles whose people may issue goodwill credits (the `grants.issue` permission); only they have a limit to set. */
const issuingRoles: readonly Role[] = ["support", "finance", "admin"];

export type CreditLimitRow = { role: Role; limitMicros: bigint; isDefault: boolean; updatedBy: string | null; updatedAt: Date | null };

/** Every issuing role's limit per credit: the `credit_limits` row, or the default. */
export async function listCreditLimits(db: Db): Promise<CreditLimitRow[]> {
  const rows = await db.select().from(creditLimits);
  const byRole = new Map(rows.map((row) => [row.role, row]));
  return roles
    .filter((role) => issuingRoles.includes(role))
    .map((role) => {
      const row = byRole.get(role);
      return row
        ? { role, limitMicros: row.limitMicros, isDefault: false, updatedBy: row.updatedBy, updatedAt: row.updatedAt }
        : { role, limitMicros: defaultCreditLimitsMicros[role], isDefault: true, updatedBy: null, updatedAt: null };
    });
}

/**
 * Changes a role's limit per credit (admin). Audited in the same transaction. Takes effect for the
 * next credit requested; requests already waiting for approval keep waiting.
 */
export async function setCreditLimit(db: Db, actor: Actor, input: { role: Role; limitMicros: bigint; reason: string }): Promise<CreditLimitRow> {
  if (!issuingRoles.includes(input.role)) {
    throw new DomainError("invalid", "credit_limit_not_applicable", `The ${input.role} role cannot issue credits, so it has no credit limit.`);
  }
  if (input.limitMicros < 0n || input.limitMicros > creditLimitMicrosMax) {
    throw new DomainError("invalid", "invalid_credit_limit", "A credit limit is an amount from 0 (every credit needs approval) to 1,000,000.");
  }
  if (input.reason.trim().length < 3) throw new DomainError("invalid", "invalid_reason", "Say why the limit changes (at least 3 characters).");
  return db.transaction(async (tx) => {
    const before = await getCreditLimit(tx, input.role);
    const [row] = await tx
      .insert(creditLimits)
      .values({ role: input.role, limitMicros: input.limitMicros, updatedBy: actor.label })
      .onConflictDoUpdate({ target: creditLimits.role, set: { limitMicros: input.limitMicros, updatedBy: actor.label, updatedAt: new Date() } })
      .returning();
    await recordAudit(tx, {
      actor,
      action: "grant.limit.set",
      objectType: "credit_limit",
      objectId: input.role,
      reason: input.reason,
      before: { limitMicros: before },
      after: { limitMicros: input.limitMicros },
    });
    return { role: input.role, limitMicros: input.limitMicros, isDefault: false, updatedBy: row?.updatedBy ?? actor.label, updatedAt: row?.updatedAt ?? null };
  });
}
