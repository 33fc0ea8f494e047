import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { uuidArray } from "./sql-arrays";
import type { BalanceTotals } from "./types";

type TotalsRow = { account_id: string; pd: string; pc: string; qd: string; qc: string };

export function totalsFromRow(row: Omit<TotalsRow, "account_id">): BalanceTotals {
  return { postedDebits: BigInt(row.pd), postedCredits: BigInt(row.pc), pendingDebits: BigInt(row.qd), pendingCredits: BigInt(row.qc) };
}

/**
 * Current totals of accounts: the balance row plus the delta rows not yet compacted, read in one
 * statement (one snapshot), so compaction running meanwhile never shows a half-folded balance.
 */
export async function readCurrentTotals(db: Db, accountIds: readonly string[]): Promise<Map<string, BalanceTotals>> {
  if (accountIds.length === 0) return new Map();
  const rows = await executeRows<TotalsRow>(
    db,
    sql`select b.account_id,
          (b.posted_debits + coalesce(d.pd, 0))::text as pd, (b.posted_credits + coalesce(d.pc, 0))::text as pc,
          (b.pending_debits + coalesce(d.qd, 0))::text as qd, (b.pending_credits + coalesce(d.qc, 0))::text as qc
        from ledger_balances b
        left join (
          select account_id, sum(posted_debits) as pd, sum(posted_credits) as pc, sum(pending_debits) as qd, sum(pending_credits) as qc
          from ledger_balance_deltas where account_id = any(${uuidArray(accountIds)}) group by account_id
        ) d on d.account_id = b.account_id
        where b.account_id = any(${uuidArray(accountIds)})`,
  );
  return new Map(rows.map((row) => [row.account_id, totalsFromRow(row)]));
}

/** Totals of accounts from their entries effective at or before `asOf` (history is never rewritten, only appended to). */
export async function readTotalsAsOf(db: Db, accountIds: readonly string[], asOf: Date): Promise<Map<string, BalanceTotals>> {
  if (accountIds.length === 0) return new Map();
  const rows = await executeRows<TotalsRow>(
    db,
    sql`select account_id,
          coalesce(sum(amount) filter (where phase = 'posted' and amount > 0), 0)::text as pd,
          coalesce(-sum(amount) filter (where phase = 'posted' and amount < 0), 0)::text as pc,
          (coalesce(sum(amount) filter (where phase = 'pending' and amount > 0), 0)
            + coalesce(sum(amount) filter (where phase = 'release' and amount < 0), 0))::text as qd,
          (coalesce(-sum(amount) filter (where phase = 'pending' and amount < 0), 0)
            - coalesce(sum(amount) filter (where phase = 'release' and amount > 0), 0))::text as qc
        from ledger_entries
        where account_id = any(${uuidArray(accountIds)}) and effective_at <= ${asOf.toISOString()}::timestamptz
        group by account_id`,
  );
  const totals = new Map(rows.map((row) => [row.account_id, totalsFromRow(row)]));
  for (const id of accountIds) {
    if (!totals.has(id)) totals.set(id, { postedDebits: 0n, postedCredits: 0n, pendingDebits: 0n, pendingCredits: 0n });
  }
  return totals;
}
