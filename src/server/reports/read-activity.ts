import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind } from "@/db/schema";
import { activitySql, ts } from "./ledger-sql";
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
export async function readActivity(db: Db, from: Date, to: Date, options: { codeLike?: string } = {}): Promise<ActivityRow[]> {
  const closed = new Set((await listClosedMonthStarts(db)).map((start) => start.getTime()));
  const result: ActivityRow[] = [];
  for (let month = monthAt(from); month.start.getTime() < to.getTime(); month = monthAt(month.end)) {
    const start = new Date(Math.max(month.start.getTime(), from.getTime()));
    const end = new Date(Math.min(month.end.getTime(), to.getTime()));
    const whole = start.getTime() === month.start.getTime() && end.getTime() === month.end.getTime();
    const source = whole && closed.has(month.start.getTime())
      ? sql`select account_id, currency, kind, plan_key, revenue_class, debits, credits from ledger_period_activity where period_start = ${ts(month.start)}`
      : activitySql(start, end, options.codeLike);
    const rows = await executeRows<{ account_id: string; code: string; account_kind: LedgerAccountKind; customer_id: string | null; currency: string; kind: string; plan_key: string; revenue_class: string; debits: string; credits: string }>(
      db,
      sql`select x.account_id, a.code, a.kind as account_kind, a.customer_id, x.currency, x.kind, x.plan_key, x.revenue_class, x.debits::text, x.credits::text
          from (${source}) x join ledger_accounts a on a.id = x.account_id
          ${options.codeLike ? sql`where a.code like ${options.codeLike}` : sql``}`,
    );
    for (const row of rows) {
      result.push({
        month: month.key,
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
      });
    }
  }
  return result;
}
