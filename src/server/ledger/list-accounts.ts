import { and, asc, eq, gt, like, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts, type LedgerAccountKind } from "@/db/schema";
import { toAccountBalance, zeroTotals } from "./balance-math";
import { readCurrentTotals } from "./read-balances";
import { ledgerLimits, type AccountBalance } from "./types";

export type ListAccountsInput = {
  kind?: LedgerAccountKind;
  currency?: string;
  customerId?: string;
  /** Accounts whose code starts with this (e.g. `revenue:`). */
  codePrefix?: string;
  /** The `nextCursor` of the previous page (the last code). */
  cursor?: string;
  limit: number;
};

export type ListedAccount = {
  id: string;
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  customerId: string | null;
  nonNegative: boolean;
  closed: boolean;
  balance: AccountBalance;
};

export type ListAccountsResult = { items: ListedAccount[]; nextCursor: string | null };

/** Accounts in code order with their current balances, filtered and paged by keyset on code. */
export async function listAccounts(db: Db, input: ListAccountsInput): Promise<ListAccountsResult> {
  const limit = Math.max(1, Math.min(Math.trunc(input.limit), ledgerLimits.pageSizeMax));
  const filters: SQL[] = [];
  if (input.kind) filters.push(eq(ledgerAccounts.kind, input.kind));
  if (input.currency) filters.push(eq(ledgerAccounts.currency, input.currency.toLowerCase()));
  if (input.customerId) filters.push(eq(ledgerAccounts.customerId, input.customerId));
  if (input.codePrefix) filters.push(like(ledgerAccounts.code, `${input.codePrefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`));
  if (input.cursor) filters.push(gt(ledgerAccounts.code, input.cursor));
  const rows = await db
    .select()
    .from(ledgerAccounts)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(asc(ledgerAccounts.code))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const totals = await readCurrentTotals(db, page.map((account) => account.id));
  const items = page.map((account) => ({
    id: account.id,
    code: account.code,
    kind: account.kind,
    currency: account.currency,
    customerId: account.customerId,
    nonNegative: account.nonNegative,
    closed: account.closed,
    balance: toAccountBalance(account, totals.get(account.id) ?? zeroTotals()),
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.code : null };
}
