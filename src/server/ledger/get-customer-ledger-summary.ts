import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts } from "@/db/schema";
import { customerAccountPrefix } from "./account-codes";
import { toAccountBalance } from "./balance-math";
import { readCurrentTotals } from "./read-balances";
import type { AccountBalance } from "./types";

export type CustomerLedgerSummary = {
  customerId: string;
  /** Remaining credit per grant (available = posted minus holds). */
  grants: Array<{ grantId: string; accountId: string; balance: AccountBalance }>;
  unbilled: AccountBalance[];
  receivable: AccountBalance[];
};

export const customerAccountsMax = 1000;

/** A customer's credits by grant, unbilled usage and receivable, now. */
export async function getCustomerLedgerSummary(db: Db, customerId: string): Promise<CustomerLedgerSummary> {
  const accounts = await db.select().from(ledgerAccounts).where(eq(ledgerAccounts.customerId, customerId)).limit(customerAccountsMax);
  const totals = await readCurrentTotals(db, accounts.map((account) => account.id));
  const summary: CustomerLedgerSummary = { customerId, grants: [], unbilled: [], receivable: [] };
  const prefix = customerAccountPrefix(customerId);
  for (const account of accounts) {
    const accountTotals = totals.get(account.id);
    if (!accountTotals) continue;
    const balance = toAccountBalance(account, accountTotals);
    const rest = account.code.startsWith(prefix) ? account.code.slice(prefix.length) : "";
    if (rest.startsWith("grant:")) summary.grants.push({ grantId: rest.slice("grant:".length), accountId: account.id, balance });
    else if (rest === "unbilled") summary.unbilled.push(balance);
    else if (rest === "receivable") summary.receivable.push(balance);
  }
  summary.grants.sort((a, b) => (a.grantId < b.grantId ? -1 : 1));
  return summary;
}
