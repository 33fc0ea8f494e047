import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind } from "@/db/schema";
import { textArray } from "@/server/ledger/sql-arrays";
import { activitySql } from "./ledger-sql";
import { listClosedMonthStarts } from "./periods/list-accounting-periods";
import { monthAt } from "./periods/month";

export type ActivityRow = {
  /** The month (`YYYY-MM`) the movement is in. */
  month: string;
  accountId: string;
  code: string;
  kind: LedgerAccountKind;
  customerId: string | null;
  currency: string;
  transactionKind: string;
  planKey: string;
  revenueClass: string;
  debits: bigint;
  credits: bigint;
};

/**
 * Posted movement over [from, to) per month, account, transaction kind, plan and revenue class:
 * whole closed months from their snapshot, every other stretch from the entries (the same SQL the
 * close stored). `codeLike` narrows the accounts.
 */
export async function readActivity(db: Db, from: Date, to: Date, options: { codeLikes?: readonly string[] } = {}): Promise<ActivityRow[]> {
  const closed = new Set((await listClosedMonthStarts(db)).map((start) => start.getTime()));
  const filter = options.codeLikes ? sql`where a.code like any(${textArray(options.codeLikes)})` : sql``;
  const wholeClosed: Date[] = [];
  const live: Array<{ month: string; start: Date; end: Date }> = [];
  for (let month = monthAt(from); month.start.getTime() < to.getTime(); month = monthAt(month.end)) {
    const start = new Date(Math.max(month.start.getTime(), from.getTime()));
    const end = new Date(Math.min(month.end.getTime(), to.getTime()));
    if (start.getTime() === month.start.getTime() && end.getTime() === month.end.getTime() && closed.has(month.start.getTime())) wholeClosed.push(month.start);
    else live.push({ month: month.key, start, end });
  }
  type Row = { month: string; account_id: string; code: string; account_kind: LedgerAccountKind; customer_id: string | null; currency: string; kind: string; plan_key: string; revenue_class: string; debits: string; credits: string };
  const rows: Row[] = [];
  if (wholeClosed.length > 0) {
    rows.push(
      ...(await executeRows<Row>(
        db,
        sql`select to_char(x.period_start at time zone 'UTC', 'YYYY-MM') as month, x.account_id, a.code, a.kind as account_kind, a.customer_id, x.currency, x.kind, x.plan_key, x.revenue_class,
              x.debits::text, x.credits::text
            from ledger_period_activity x join ledger_accounts a on a.id = x.account_id
            ${filter} ${options.codeLikes ? sql`and` : sql`where`} x.period_start = any(${`{${wholeClosed.map((start) => start.toISOString()).join(",")}}`}::timestamptz[])`,
      )),
    );
  }
  for (const stretch of live) {
    rows.push(
      ...(await executeRows<Row>(
        db,
        sql`select ${stretch.month} as month, x.account_id, a.code, a.kind as account_kind, a.customer_id, x.currency, x.kind, x.plan_key, x.revenue_class, x.debits::text, x.credits::text
            from (${activitySql(stretch.start, stretch.end, options.codeLikes)}) x join ledger_accounts a on a.id = x.account_id ${filter}`,
      )),
    );
  }
  return rows.map((row) => ({
    month: row.month,
    accountId: row.account_id,
    code: row.code,
    kind: row.account_kind,
    customerId: row.customer_id,
    currency: row.currency,
    transactionKind: row.kind,
    planKey: row.plan_key,
    revenueClass: row.revenue_class,
    debits: BigInt(row.debits),
    credits: BigInt(row.credits),
  }));
}
