import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { BillingInterval } from "@/db/schema";
import { periodContaining, periodsEndingBetween } from "@/server/customers/billing-period";
import { uuidArray } from "@/server/ledger/sql-arrays";
import type { Period } from "./build-invoice";

export type DueSubscription = { subscriptionId: string; customerId: string; periods: Period[] };

export type ListDuePeriodsInput = {
  until: Date;
  /** Only these subscriptions (the per-subscription close). */
  subscriptionIds?: readonly string[];
  /** Keyset page: subscriptions with an id after this one. */
  afterId?: string;
  limit: number;
};

/** Periods closed per subscription per run; a subscription further behind catches up on the next run. */
export const duePeriodsPerSubscriptionMax = 24;
export const dueSubscriptionsPageMax = 5_000;

type Row = {
  id: string;
  customer_id: string;
  billing_anchor: string | Date;
  ended_at: string | Date | null;
  billing_interval: BillingInterval;
  last_closed_end: string | Date | null;
  closes_from: string | Date | null;
};

/**
 * A page of subscriptions (by id) with the billing periods that ended at or before `until` and
 * have no period invoice yet, oldest first: periods after the last closed one (or from the anchor,
 * or from `billing_settings.closes_from` — history billed before Tally took over — when none was
 * closed). A canceled subscription's last period is due once it has ended.
 */
export async function listDuePeriods(db: Db, input: ListDuePeriodsInput): Promise<{ subscriptions: DueSubscription[]; scanned: number; nextAfterId: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), dueSubscriptionsPageMax);
  const rows = await executeRows<Row>(
    db,
    sql`select s.id, s.customer_id, s.billing_anchor, coalesce(s.ended_at, case when s.status = 'canceled' then s.canceled_at end) as ended_at, v.billing_interval,
               (select max(i.period_end) from invoices i where i.subscription_id = s.id and i.kind = 'period') as last_closed_end,
               (select closes_from from billing_settings where key = 'global') as closes_from
        from subscriptions s join catalog_plan_versions v on v.id = s.plan_version_id
        where s.status <> 'incomplete' and s.billing_anchor < ${input.until.toISOString()}::timestamptz
          ${input.afterId ? sql`and s.id > ${input.afterId}::uuid` : sql``}
          ${input.subscriptionIds ? sql`and s.id = any(${uuidArray([...input.subscriptionIds])})` : sql``}
        order by s.id
        limit ${limit}`,
  );
  const subscriptions: DueSubscription[] = [];
  for (const row of rows) {
    const anchor = new Date(row.billing_anchor);
    const endedAt = row.ended_at ? new Date(row.ended_at) : null;
    const closesFrom = row.closes_from ? new Date(new Date(row.closes_from).getTime() - 1) : null;
    const lastClosed = row.last_closed_end ? new Date(row.last_closed_end) : null;
    const from = lastClosed ?? (closesFrom && closesFrom > anchor ? closesFrom : anchor);
    let until = input.until;
    if (endedAt && endedAt <= input.until) {
      const last = periodContaining(anchor, row.billing_interval, new Date(Math.max(anchor.getTime(), endedAt.getTime() - 1)));
      if (last.end > until) until = last.end;
    }
    const periods = periodsEndingBetween(anchor, row.billing_interval, from, until, duePeriodsPerSubscriptionMax)
      .filter((period) => !endedAt || period.start < endedAt)
      .map((period) => ({ start: period.start, end: period.end }));
    if (periods.length > 0) subscriptions.push({ subscriptionId: row.id, customerId: row.customer_id, periods });
  }
  return { subscriptions, scanned: rows.length, nextAfterId: rows.length === limit ? rows[rows.length - 1]!.id : null };
}
