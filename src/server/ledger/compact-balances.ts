import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type CompactBalancesResult = { deltasFolded: number; accountsUpdated: number; more: boolean };

export const compactDeltasMax = 50_000;

/**
 * Folds delta rows into the balance rows (oldest first, bounded per call) in one statement: the
 * deltas it deletes are exactly the ones it adds, so a reader (row + remaining deltas) sees the
 * same balance before and after. Deltas committed meanwhile stay for the next run.
 */
export async function compactBalances(db: Db, options: { limit?: number } = {}): Promise<CompactBalancesResult> {
  const limit = Math.min(options.limit ?? compactDeltasMax, compactDeltasMax);
  const rows = await executeRows<{ folded: number; accounts: number }>(
    db,
    sql`with moved as (
          delete from ledger_balance_deltas where id in (select id from ledger_balance_deltas order by id limit ${limit})
          returning account_id, posted_debits, posted_credits, pending_debits, pending_credits
        ), sums as (
          select account_id, sum(posted_debits) as pd, sum(posted_credits) as pc, sum(pending_debits) as qd, sum(pending_credits) as qc, count(*) as n
          from moved group by account_id
        ), updated as (
          update ledger_balances b set posted_debits = b.posted_debits + s.pd, posted_credits = b.posted_credits + s.pc,
            pending_debits = b.pending_debits + s.qd, pending_credits = b.pending_credits + s.qc, updated_at = now()
          from sums s where b.account_id = s.account_id
          returning 1
        )
        select coalesce((select sum(n) from sums), 0)::int as folded, (select count(*) from updated)::int as accounts`,
  );
  const folded = Number(rows[0]?.folded ?? 0);
  return { deltasFolded: folded, accountsUpdated: Number(rows[0]?.accounts ?? 0), more: folded === limit };
}
