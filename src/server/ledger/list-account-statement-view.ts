import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ledgerAccounts, ledgerEntries, ledgerTransactions, type LedgerTransactionKind } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { isDebitNormal } from "./balance-math";
import { uuidPattern } from "./ids";

export const statementSortKeys = ["effective", "amount"] as const;
export type StatementSortKey = (typeof statementSortKeys)[number];
export const statementSides = ["debit", "credit"] as const;

export type ListStatementViewInput = {
  accountId: string;
  kind?: LedgerTransactionKind;
  side?: (typeof statementSides)[number];
  /** Default `effective` ascending (a statement reads oldest first). */
  sort?: StatementSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

export type StatementViewLine = {
  entryId: string;
  transactionId: string;
  kind: LedgerTransactionKind;
  description: string;
  effectiveAt: Date;
  direction: "debit" | "credit";
  /** Positive micro-units on `direction`'s side. */
  amount: bigint;
  /** Posted balance on the account's normal side after this entry (every entry counted, whatever the view's filter). */
  balanceAfter: bigint;
};

const rowsMax = 1000;

const sorts: Record<StatementSortKey, KeysetSort> = {
  effective: { expression: sql`${ledgerEntries.effectiveAt}`, type: "timestamptz" },
  amount: { expression: sql`abs(${ledgerEntries.amount})`, type: "bigint" },
};

/**
 * An account's posted entries for the console: by effective time or by size (debit or credit),
 * either direction, filtered by transaction kind or side, keyset-paged on the
 * `(account_id, sort, id)` indexes. Each line carries the account's running balance after it.
 */
export async function listAccountStatementView(db: Db, input: ListStatementViewInput): Promise<{ items: StatementViewLine[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  if (!uuidPattern.test(input.accountId)) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const [account] = await db.select({ kind: ledgerAccounts.kind }).from(ledgerAccounts).where(eq(ledgerAccounts.id, input.accountId));
  if (!account) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const sortKey = input.sort ?? "effective";
  const direction = input.direction ?? "asc";
  const fixed = { column: sql`${ledgerEntries.accountId}`, value: input.accountId };
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${ledgerEntries.id}`, idType: "bigint", cursor: input.cursor, fixed });
  const filters: SQL[] = [eq(ledgerEntries.phase, "posted")];
  if (input.kind) filters.push(eq(ledgerTransactions.kind, input.kind));
  if (input.side === "debit") filters.push(sql`${ledgerEntries.amount} > 0`);
  if (input.side === "credit") filters.push(sql`${ledgerEntries.amount} < 0`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      id: ledgerEntries.id,
      transactionId: ledgerEntries.transactionId,
      kind: ledgerTransactions.kind,
      description: ledgerTransactions.description,
      effectiveAt: ledgerEntries.effectiveAt,
      amount: ledgerEntries.amount,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id.toString() }) });
  const balances = await balancesAfter(db, input.accountId, page.items);
  const debitNormal = isDebitNormal(account.kind);
  const items = page.items.map((row) => ({
    entryId: row.id.toString(),
    transactionId: row.transactionId,
    kind: row.kind,
    description: row.description,
    effectiveAt: row.effectiveAt,
    direction: row.amount > 0n ? ("debit" as const) : ("credit" as const),
    amount: row.amount > 0n ? row.amount : -row.amount,
    balanceAfter: debitNormal ? balances.get(row.id)! : -balances.get(row.id)!,
  }));
  return { items, nextCursor: page.nextCursor };
}

/**
 * The signed posted balance after each entry of the page: the sum before the page's earliest entry
 * plus a running sum up to its latest (every entry in between counted, whether the view shows it or
 * not). For the statement's own order that span is the page itself.
 */
async function balancesAfter(db: Db, accountId: string, entries: { id: bigint }[]): Promise<Map<bigint, bigint>> {
  if (entries.length === 0) return new Map();
  const ids = `{${entries.map((entry) => entry.id.toString()).join(",")}}`;
  const rows = await executeRows<{ id: string; balance: string }>(
    db,
    sql`with first as (select effective_at, id from ledger_entries where id = any(${ids}::int8[]) order by effective_at, id limit 1),
             last as (select effective_at, id from ledger_entries where id = any(${ids}::int8[]) order by effective_at desc, id desc limit 1),
             opening as (
               select coalesce(sum(x.amount), 0) as amount from ledger_entries x, first f
               where x.account_id = ${accountId}::uuid and x.phase = 'posted' and (x.effective_at, x.id) < (f.effective_at, f.id)),
             span as (
               select x.id, sum(x.amount) over (order by x.effective_at, x.id) as running from ledger_entries x, first f, last l
               where x.account_id = ${accountId}::uuid and x.phase = 'posted'
                 and (x.effective_at, x.id) >= (f.effective_at, f.id) and (x.effective_at, x.id) <= (l.effective_at, l.id))
        select span.id::text, (opening.amount + span.running)::text as balance from span, opening where span.id = any(${ids}::int8[])`,
  );
  return new Map(rows.map((row) => [BigInt(row.id), BigInt(row.balance)]));
}
