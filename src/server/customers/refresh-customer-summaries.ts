import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type RefreshCustomerSummariesResult = { customers: number; spendMonth: string };

/** First day of `now`'s UTC month, as `YYYY-MM-DD`. */
export function spendMonthOf(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
}

/**
 * Recomputes every customer's summary row, set-based: month-to-date spend (posted usage accruals
 * to the customer's unbilled account since the first of `now`'s UTC month) and, as a repair of any
 * drift the triggers could leave under concurrent writers, plan, status, balance due and open
 * anomalies. Rows are written only where something changed. Bounded reads: one pass over
 * customers, live subscriptions, finalized invoices, open anomalies and this month's accruals.
 */
export async function refreshCustomerSummaries(db: Db, now: Date): Promise<RefreshCustomerSummariesResult> {
  const month = spendMonthOf(now);
  const rows = await executeRows<{ changed: string }>(
    db,
    sql`with spend as (
          select t.customer_id, sum(e.amount) as micros
          from ledger_transactions t
          join ledger_entries e on e.transaction_id = t.id and e.amount > 0 and e.phase = 'posted'
          join ledger_accounts a on a.id = e.account_id and a.code like 'customer:%:unbilled'
          where t.kind = 'usage_accrual' and t.status = 'posted' and t.effective_at >= ${month}::date
          group by t.customer_id),
        subscription as (
          select distinct on (s.customer_id) s.customer_id, s.status, p.name as plan_name, p.key as plan_key
          from subscriptions s join catalog_plan_versions v on v.id = s.plan_version_id join catalog_plans p on p.id = v.plan_id
          order by s.customer_id, (s.status <> 'canceled') desc, s.created_at desc, s.id desc),
        balance as (select customer_id, sum(total_micros) as micros from invoices where status = 'finalized' group by customer_id),
        anomaly as (select customer_id, count(*)::int as open from anomalies where status in ('open', 'acknowledged') and customer_id is not null group by customer_id),
        computed as (
          select c.id as customer_id, lower(c.name) as name_key, c.kind, c.currency, c.archived_at is not null as archived, c.created_at,
                 coalesce(s.plan_name, '') as plan_name, coalesce(s.plan_key, '') as plan_key, coalesce(s.status, 'none') as status,
                 coalesce(b.micros, 0)::bigint as balance, coalesce(sp.micros, 0)::bigint as spend, coalesce(an.open, 0) as open
          from customers c
          left join subscription s on s.customer_id = c.id
          left join balance b on b.customer_id = c.id
          left join spend sp on sp.customer_id = c.id
          left join anomaly an on an.customer_id = c.id),
        written as (
          insert into customer_summaries as cs (customer_id, name_key, kind, currency, archived, customer_created_at, plan_name, plan_key, status,
                                                balance_due_micros, month_spend_micros, spend_month, open_anomalies, updated_at)
          select customer_id, name_key, kind, currency, archived, created_at, plan_name, plan_key, status, balance, spend, ${month}::date, open, now()
          from computed
          on conflict (customer_id) do update set
            name_key = excluded.name_key, kind = excluded.kind, currency = excluded.currency, archived = excluded.archived,
            customer_created_at = excluded.customer_created_at, plan_name = excluded.plan_name, plan_key = excluded.plan_key,
            status = excluded.status, balance_due_micros = excluded.balance_due_micros, month_spend_micros = excluded.month_spend_micros,
            spend_month = excluded.spend_month, open_anomalies = excluded.open_anomalies, updated_at = now()
          where (cs.name_key, cs.kind, cs.currency, cs.archived, cs.customer_created_at, cs.plan_name, cs.plan_key, cs.status,
                 cs.balance_due_micros, cs.month_spend_micros, cs.spend_month, cs.open_anomalies)
                is distinct from
                (excluded.name_key, excluded.kind, excluded.currency, excluded.archived, excluded.customer_created_at, excluded.plan_name,
                 excluded.plan_key, excluded.status, excluded.balance_due_micros, excluded.month_spend_micros, excluded.spend_month, excluded.open_anomalies)
          returning 1)
        select count(*)::text as changed from written`,
  );
  return { customers: Number(rows[0]?.changed ?? 0), spendMonth: month };
}
