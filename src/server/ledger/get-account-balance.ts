import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { toAccountBalance } from "./balance-math";
import { uuidPattern } from "./ids";
import { readCurrentTotals, readTotalsAsOf } from "./read-balances";
import type { AccountBalance } from "./types";

export type GetAccountBalanceInput = {
  accountId: string;
  /** A past time (by effective_at); omitted = now, including back-dated entries. */
  asOf?: Date;
};
export type GetAccountBalanceResult = AccountBalance & { code: string; asOf: Date | null };

/** Posted, pending and available balance of one account, now or as of a past time. */
export async function getAccountBalance(db: Db, input: GetAccountBalanceInput): Promise<GetAccountBalanceResult> {
  if (!uuidPattern.test(input.accountId)) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const [account] = await db.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, input.accountId));
  if (!account) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const totals = input.asOf
    ? await readTotalsAsOf(db, [account.id], input.asOf)
    : await readCurrentTotals(db, [account.id]);
  const accountTotals = totals.get(account.id);
  if (!accountTotals) throw new Error(`ledger: account ${account.code} has no balance row`);
  return { ...toAccountBalance(account, accountTotals), code: account.code, asOf: input.asOf ?? null };
}
