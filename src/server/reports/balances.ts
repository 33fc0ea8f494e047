import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind } from "@/db/schema";
import { textArray } from "@/server/ledger/sql-arrays";
import { movementSql, ts } from "./ledger-sql";
import { listClosedMonthStarts } from "./periods/list-accounting-periods";
import { monthAt } from "./periods/month";

export type AccountTotals = {
  accountId: string;
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  customerId: string | null;
  /** Posted debits and credits of every entry effective before the instant. */
  debits: bigint;
  credits: bigint;
};

export type BalanceFilter = { codeLike?: string; codeLikes?: readonly string[]; accountIds?: readonly string[] };

/**
 * `account_id = any(array(select id from ledger_accounts where …))`: the filter applied inside the
 * snapshot and the movement, so a report about a few accounts (revenue, cash) reads their rows
 * (the entries by `(account_id, effective_at)`) instead of every account's and discarding the rest.
 */
function accountScope(filter: BalanceFilter): SQL | undefined {
  const conditions: SQL[] = [];
  const likes = [...(filter.codeLikes ?? []), ...(filter.codeLike ? [filter.codeLike] : [])];
  if (likes.length > 0) conditions.push(sql`code like any(${textArray(likes)})`);
  if (filter.accountIds) conditions.push(sql`id = any(${`{${filter.accountIds.join(",")}}`}::uuid[])`);
  return conditions.length === 0 ? undefined : sql`account_id = any(array(select id from ledger_accounts where ${sql.join(conditions, sql` and `)}))`;
}

/**
 * Posted totals per account from every entry effective before `before` (exclusive), read from
 * the nearest closed month's snapshot plus (or minus) the entries between it and `before` — at
 * most half a month of entries, whatever the ledger's age. Accounts that never moved are left out.
 */
export async function readBalancesBefore(db: Db, before: Date, filter: BalanceFilter = {}): Promise<AccountTotals[]> {
  const boundary = await nearestBoundary(db, before);
  const scope = accountScope(filter);
  const snapshot = boundary.snapshotStart
    ? sql`select account_id, posted_debits as debits, posted_credits as credits from ledger_period_balances where period_start = ${ts(boundary.snapshotStart)}${scope ? sql` and ${scope}` : sql``}`
    : sql`select null::uuid as account_id, 0::int8 as debits, 0::int8 as credits where false`;
  const forward = boundary.at.getTime() <= before.getTime();
  const movement = forward ? movementSql(boundary.at, before, scope) : movementSql(before, boundary.at, scope);
  const sign = forward ? sql`+` : sql`-`;
  const conditions: SQL[] = [sql`(s.account_id is not null or m.account_id is not null)`];
  if (filter.codeLike) conditions.push(sql`a.code like ${filter.codeLike}`);
  if (filter.codeLikes) conditions.push(sql`a.code like any(${textArray(filter.codeLikes)})`);
  if (filter.accountIds) conditions.push(sql`a.id = any(${`{${filter.accountIds.join(",")}}`}::uuid[])`);
  const rows = await executeRows<{ id: string; code: string; kind: LedgerAccountKind; currency: string; customer_id: string | null; debits: string; credits: string }>(
    db,
    sql`select a.id, a.code, a.kind, a.currency, a.customer_id,
          (coalesce(s.debits, 0) ${sign} coalesce(m.debits, 0))::text as debits, (coalesce(s.credits, 0) ${sign} coalesce(m.credits, 0))::text as credits
        from ledger_accounts a
        left join (${snapshot}) s on s.account_id = a.id
        left join (${movement}) m on m.account_id = a.id
        where ${sql.join(conditions, sql` and `)}
        order by a.code`,
  );
  return rows.map((row) => ({
    accountId: row.id,
    code: row.code,
    kind: row.kind,
    currency: row.currency,
    customerId: row.customer_id,
    debits: BigInt(row.debits),
    credits: BigInt(row.credits),
  }));
}

/** Normal-side balance: debits − credits for asset and expense accounts, credits − debits otherwise. */
export function normalBalance(kind: LedgerAccountKind, totals: { debits: bigint; credits: bigint }): bigint {
  return kind === "asset" || kind === "expense" ? totals.debits - totals.credits : totals.credits - totals.debits;
}

type Boundary = { at: Date; snapshotStart: Date | null };

/**
 * The instant closest to `before` whose balances are known without reading entries: the end of a
 * closed month (its snapshot) or the start of the first closed month (nothing before it). With
 * no month closed, the start of time (every entry is read).
 */
async function nearestBoundary(db: Db, before: Date): Promise<Boundary> {
  const starts = await listClosedMonthStarts(db);
  if (starts.length === 0) return { at: new Date(0), snapshotStart: null };
  const candidates: Boundary[] = [{ at: starts[0]!, snapshotStart: null }, ...starts.map((start) => ({ at: monthAt(start).end, snapshotStart: start }))];
  let best = candidates[0]!;
  for (const candidate of candidates) {
    if (Math.abs(candidate.at.getTime() - before.getTime()) < Math.abs(best.at.getTime() - before.getTime())) best = candidate;
  }
  // Before the first closed month nothing can be posted any more, but what was posted before it is not in a snapshot: read forward from 0.
  if (best.snapshotStart === null && before.getTime() < best.at.getTime()) return { at: new Date(0), snapshotStart: null };
  return best;
}
