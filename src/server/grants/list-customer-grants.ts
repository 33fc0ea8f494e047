import { and, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditGrants, type CreditGrant } from "@/db/schema";
import { grantLimits } from "./grant-schemas";
import { readGrantBalances } from "./read-grant-balances";

export type GrantState = "scheduled" | "active" | "used" | "expired";
export type CustomerGrantView = CreditGrant & { remainingMicros: bigint; state: GrantState };

/** A customer's grants, newest first (at most 200), each with its remaining balance from the ledger. */
export async function listCustomerGrants(db: Db, customerId: string, at: Date): Promise<CustomerGrantView[]> {
  const grants = await db
    .select()
    .from(creditGrants)
    .where(eq(creditGrants.customerId, customerId))
    .orderBy(desc(creditGrants.createdAt), desc(creditGrants.id))
    .limit(grantLimits.listMax);
  const balances = await readGrantBalances(db, grants);
  return grants.map((grant) => {
    const remainingMicros = balances.get(grant.id) ?? 0n;
    return { ...grant, remainingMicros, state: grantState(grant, remainingMicros, at) };
  });
}

export function grantState(grant: CreditGrant, remainingMicros: bigint, at: Date): GrantState {
  if (grant.expiredAt || (grant.expiresAt && grant.expiresAt.getTime() <= at.getTime())) return "expired";
  if (grant.effectiveAt.getTime() > at.getTime()) return "scheduled";
  return remainingMicros > 0n ? "active" : "used";
}

/**
 * What a customer can spend in credits now, per currency: the remaining balance (from the ledger)
 * of every grant in effect — all of them, not the newest 200 the list shows.
 */
export async function readCustomerCreditAvailable(db: Db, customerId: string, at: Date): Promise<Array<{ currency: string; availableMicros: bigint }>> {
  const grants = await db
    .select()
    .from(creditGrants)
    .where(and(eq(creditGrants.customerId, customerId), isNull(creditGrants.expiredAt), lte(creditGrants.effectiveAt, at), or(isNull(creditGrants.expiresAt), gt(creditGrants.expiresAt, at))));
  const balances = await readGrantBalances(db, grants);
  const totals = new Map<string, bigint>();
  for (const grant of grants) totals.set(grant.currency, (totals.get(grant.currency) ?? 0n) + (balances.get(grant.id) ?? 0n));
  return [...totals.entries()].map(([currency, availableMicros]) => ({ currency, availableMicros }));
}
