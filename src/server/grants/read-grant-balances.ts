import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts, type CreditGrant } from "@/db/schema";
import { toAccountBalance } from "@/server/ledger/balance-math";
import { readCurrentTotals } from "@/server/ledger/read-balances";

/** Remaining (available) balance per grant, from the ledger. Read it after locking the grants when the answer decides a posting. */
export async function readGrantBalances(db: Db, grants: readonly Pick<CreditGrant, "id" | "ledgerAccountId">[]): Promise<Map<string, bigint>> {
  const accountIds = grants.map((grant) => grant.ledgerAccountId).filter((id): id is string => id !== null);
  if (accountIds.length === 0) return new Map();
  const accounts = await db.select({ id: ledgerAccounts.id, kind: ledgerAccounts.kind, currency: ledgerAccounts.currency }).from(ledgerAccounts).where(inArray(ledgerAccounts.id, accountIds));
  const totals = await readCurrentTotals(db, accountIds);
  const balanceByAccount = new Map(accounts.map((account) => [account.id, toAccountBalance(account, totals.get(account.id)!).available]));
  return new Map(grants.map((grant) => [grant.id, grant.ledgerAccountId ? balanceByAccount.get(grant.ledgerAccountId) ?? 0n : 0n]));
}
