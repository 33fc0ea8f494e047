import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ledgerAccounts } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { getAccountBalance } from "@/server/ledger/get-account-balance";

export const supportActor: Actor = { type: "user", id: "00000000-0000-4000-8000-000000000001", label: "support@tally.test" };
export const financeActor: Actor = { type: "user", id: "00000000-0000-4000-8000-000000000002", label: "finance@tally.test" };
export const otherFinanceActor: Actor = { type: "user", id: "00000000-0000-4000-8000-000000000003", label: "finance2@tally.test" };

/** Posted balance (normal side) of an account by code; 0 when it does not exist yet. */
export async function balanceOf(db: Db, code: string): Promise<bigint> {
  const [account] = await db.select({ id: ledgerAccounts.id }).from(ledgerAccounts).where(eq(ledgerAccounts.code, code));
  if (!account) return 0n;
  return (await getAccountBalance(db, { accountId: account.id })).posted;
}

export async function countLedgerTransactions(db: Db, kind?: string): Promise<number> {
  const [row] = await executeRows<{ count: number }>(
    db,
    kind
      ? sql`select count(*)::int as count from ledger_transactions where kind = ${kind}`
      : sql`select count(*)::int as count from ledger_transactions`,
  );
  return Number(row!.count);
}
