import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ledgerAccounts, type LedgerAccountKind } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { nameAccounts } from "@/server/reports/account-names";
import { toAccountBalance, zeroTotals } from "./balance-math";
import type { ListedAccount } from "./list-accounts";
import { readCurrentTotals } from "./read-balances";

export const ledgerAccountSortKeys = ["code", "created"] as const;
export type LedgerAccountSortKey = (typeof ledgerAccountSortKeys)[number];
export const ledgerAccountBalanceFilters = ["nonzero", "zero"] as const;

export type ListLedgerAccountsViewInput = {
  kind?: LedgerAccountKind;
  currency?: string;
  /** `nonzero`: a posted or pending balance other than zero; `zero`: neither. */
  balance?: (typeof ledgerAccountBalanceFilters)[number];
  /** The start of the account code (`revenue:`, `customer:<id>:`). */
  code?: string;
  /** Default `code` ascending. */
  sort?: LedgerAccountSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

export type LedgerAccountRow = ListedAccount & { name: string; createdAt: Date };

const rowsMax = 1000;

const sorts: Record<LedgerAccountSortKey, KeysetSort> = {
  code: { expression: sql`${ledgerAccounts.code}`, type: "text" },
  created: { expression: sql`${ledgerAccounts.createdAt}`, type: "timestamptz" },
};

/** The balance row plus the deltas not yet compacted, as `readCurrentTotals` reads them. */
const hasBalance = sql`exists (
  select 1 from ledger_balances b
  left join lateral (
    select sum(posted_debits - posted_credits) as posted, sum(pending_debits - pending_credits) as pending
    from ledger_balance_deltas d where d.account_id = b.account_id) d on true
  where b.account_id = ${ledgerAccounts.id}
    and (b.posted_debits - b.posted_credits + coalesce(d.posted, 0) <> 0 or b.pending_debits - b.pending_credits + coalesce(d.pending, 0) <> 0))`;

/**
 * The console's ledger accounts: by code or by creation, filtered by kind, currency, code prefix
 * and whether the balance is zero, keyset-paged on `(sort, id)` with an index per sort and per
 * `(kind, sort, id)`. Balances are read for the page's accounts only.
 */
export async function listLedgerAccountsView(db: Db, input: ListLedgerAccountsViewInput): Promise<{ items: LedgerAccountRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "code";
  const direction = input.direction ?? "asc";
  const fixed = input.kind ? { column: sql`${ledgerAccounts.kind}`, value: input.kind } : undefined;
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${ledgerAccounts.id}`, idType: "uuid", cursor: input.cursor, fixed });
  const filters: SQL[] = [];
  if (input.currency) filters.push(eq(ledgerAccounts.currency, input.currency.toLowerCase()));
  if (input.code) filters.push(sql`${ledgerAccounts.code} like ${`${input.code.replace(/[\\%_]/g, (character) => `\\${character}`)}%`}`);
  if (input.balance === "nonzero") filters.push(hasBalance);
  if (input.balance === "zero") filters.push(sql`not ${hasBalance}`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ account: ledgerAccounts, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(ledgerAccounts)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.account.id }) });
  const accounts = page.items.map((row) => row.account);
  const [totals, names] = await Promise.all([
    readCurrentTotals(db, accounts.map((account) => account.id)),
    nameAccounts(db, accounts.map((account) => ({ accountId: account.id, code: account.code, customerId: account.customerId }))),
  ]);
  const items = accounts.map((account) => ({
    id: account.id,
    code: account.code,
    name: names.get(account.id)?.name ?? account.code,
    kind: account.kind,
    currency: account.currency,
    customerId: account.customerId,
    nonNegative: account.nonNegative,
    closed: account.closed,
    createdAt: account.createdAt,
    balance: toAccountBalance(account, totals.get(account.id) ?? zeroTotals()),
  }));
  return { items, nextCursor: page.nextCursor };
}

/** The currencies accounts are kept in, for the filter: a skip scan of `ledger_accounts_currency_idx` (one probe per currency). */
export async function listLedgerCurrencies(db: Db): Promise<string[]> {
  const rows = await executeRows<{ value: string }>(
    db,
    sql`with recursive skip as (
          (select currency as value from ledger_accounts order by currency limit 1)
          union all
          select (select currency from ledger_accounts where currency > skip.value order by currency limit 1) from skip where skip.value is not null)
        select value from skip where value is not null limit 100`,
  );
  return rows.map((row) => row.value);
}
