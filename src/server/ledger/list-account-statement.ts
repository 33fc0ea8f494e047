import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ledgerAccounts, type LedgerTransactionKind } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { isDebitNormal } from "./balance-math";
import { uuidPattern } from "./ids";
import { ledgerLimits } from "./types";

export type ListAccountStatementInput = {
  accountId: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** At most 500. */
  limit: number;
  /** Half-open [from, to) on effective_at. */
  from?: Date;
  to?: Date;
};

export type StatementLine = {
  entryId: string;
  transactionId: string;
  kind: LedgerTransactionKind;
  description: string;
  effectiveAt: string;
  direction: "debit" | "credit";
  amount: bigint;
  /** Posted balance on the account's normal side after this line. */
  balanceAfter: bigint;
};

export type ListAccountStatementResult = { lines: StatementLine[]; openingBalance: bigint; nextCursor: string | null };

/**
 * Posted entries of an account in (effective_at, id) order with a running balance, one bounded page
 * at a time (keyset cursor = the last entry id). The opening balance of a page is the sum of every
 * earlier entry: one index range scan on (account_id, effective_at, id).
 */
export async function listAccountStatement(db: Db, input: ListAccountStatementInput): Promise<ListAccountStatementResult> {
  const limit = Math.max(1, Math.min(Math.trunc(input.limit), ledgerLimits.pageSizeMax));
  if (!uuidPattern.test(input.accountId)) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const [account] = await db.select({ kind: ledgerAccounts.kind }).from(ledgerAccounts).where(eq(ledgerAccounts.id, input.accountId));
  if (!account) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
  const afterId = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const from = input.from?.toISOString() ?? null;
  const to = input.to?.toISOString() ?? null;
  const rows = await executeRows<{
    id: string;
    transaction_id: string;
    kind: LedgerTransactionKind;
    description: string;
    effective_at: string;
    amount: string;
    opening: string;
  }>(
    db,
    sql`with page as (
          select e.id, e.transaction_id, e.effective_at, e.amount
          from ledger_entries e
          where e.account_id = ${input.accountId}::uuid and e.phase = 'posted'
            and (${from}::timestamptz is null or e.effective_at >= ${from}::timestamptz)
            and (${to}::timestamptz is null or e.effective_at < ${to}::timestamptz)
            and (${afterId}::int8 is null or (e.effective_at, e.id) > (select c.effective_at, c.id from ledger_entries c where c.id = ${afterId}::int8))
          order by e.effective_at, e.id
          limit ${limit + 1}
        ), first as (select effective_at, id from page order by effective_at, id limit 1)
        select p.id::text, p.transaction_id, t.kind, t.description,
          to_char(p.effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as effective_at, p.amount::text,
          (select coalesce(sum(x.amount), 0) from ledger_entries x, first f
            where x.account_id = ${input.accountId}::uuid and x.phase = 'posted' and (x.effective_at, x.id) < (f.effective_at, f.id))::text as opening
        from page p join ledger_transactions t on t.id = p.transaction_id
        order by p.effective_at, p.id`,
  );
  const debitNormal = isDebitNormal(account.kind);
  const toNormal = (signed: bigint) => (debitNormal ? signed : -signed);
  const openingSigned = rows.length > 0 ? BigInt(rows[0]!.opening) : 0n;
  let running = openingSigned;
  const lines = rows.slice(0, limit).map((row) => {
    const amount = BigInt(row.amount);
    running += amount;
    return {
      entryId: row.id,
      transactionId: row.transaction_id,
      kind: row.kind,
      description: row.description,
      effectiveAt: row.effective_at,
      direction: amount > 0n ? ("debit" as const) : ("credit" as const),
      amount: amount > 0n ? amount : -amount,
      balanceAfter: toNormal(running),
    };
  });
  return { lines, openingBalance: toNormal(openingSigned), nextCursor: rows.length > limit ? encodeCursor(lines[lines.length - 1]!.entryId) : null };
}

function encodeCursor(entryId: string): string {
  return Buffer.from(`e:${entryId}`).toString("base64url");
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, "base64url").toString();
  if (!/^e:\d{1,19}$/.test(text)) throw new DomainError("invalid", "ledger_cursor_invalid", "The page cursor is not valid; start from the first page.");
  return text.slice(2);
}
