import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { activitySql, movementSql, receivableMovementSql, ts } from "../ledger-sql";
import { previousMonth, type Month } from "./month";

/**
 * Writes a closing month's snapshots from the previous month's snapshot plus the month's own
 * entries (never from all of history): balances per account, activity per account / kind / plan /
 * revenue class, and open receivable items. Returns the trial balance per currency at the end.
 * Runs inside the close's transaction, under its exclusive lock.
 */
export async function writePeriodSnapshots(db: Db, month: Month, options: { hasPrevious: boolean }): Promise<Array<{ currency: string; debits: bigint; credits: bigint; accounts: number }>> {
  const previous = previousMonth(month);
  const prior = options.hasPrevious ? sql`select account_id, posted_debits, posted_credits from ledger_period_balances where period_start = ${ts(previous.start)}` : sql`select null::uuid as account_id, 0::int8 as posted_debits, 0::int8 as posted_credits where false`;
  await executeRows(
    db,
    sql`insert into ledger_period_balances (period_start, account_id, currency, posted_debits, posted_credits, period_debits, period_credits)
        select ${ts(month.start)}, a.id, a.currency,
          coalesce(p.posted_debits, 0) + coalesce(m.debits, 0), coalesce(p.posted_credits, 0) + coalesce(m.credits, 0),
          coalesce(m.debits, 0), coalesce(m.credits, 0)
        from (${movementSql(month.start, month.end)}) m
        full join (${prior}) p on p.account_id = m.account_id
        join ledger_accounts a on a.id = coalesce(m.account_id, p.account_id)`,
  );
  await executeRows(
    db,
    sql`insert into ledger_period_activity (period_start, account_id, currency, kind, plan_key, revenue_class, debits, credits)
        select ${ts(month.start)}, account_id, currency, kind, plan_key, revenue_class, debits, credits from (${activitySql(month.start, month.end)}) activity`,
  );
  const priorItems = options.hasPrevious
    ? sql`select account_id, item_key, amount, dated_at from ledger_period_open_items where period_start = ${ts(previous.start)}`
    : sql`select null::uuid as account_id, null::text as item_key, 0::int8 as amount, null::timestamptz as dated_at where false`;
  await executeRows(
    db,
    sql`insert into ledger_period_open_items (period_start, account_id, item_key, amount, dated_at)
        select ${ts(month.start)}, account_id, item_key, sum(amount), min(dated_at)
        from (${priorItems} union all ${receivableMovementSql(month.start, month.end)}) items
        group by account_id, item_key
        having sum(amount) <> 0`,
  );
  const totals = await executeRows<{ currency: string; debits: string; credits: string; accounts: number }>(
    db,
    sql`select currency, coalesce(sum(posted_debits - posted_credits) filter (where posted_debits > posted_credits), 0)::text as debits,
          coalesce(sum(posted_credits - posted_debits) filter (where posted_credits > posted_debits), 0)::text as credits, count(*)::int as accounts
        from ledger_period_balances where period_start = ${ts(month.start)} group by currency order by currency`,
  );
  return totals.map((row) => ({ currency: row.currency, debits: BigInt(row.debits), credits: BigInt(row.credits), accounts: Number(row.accounts) }));
}
