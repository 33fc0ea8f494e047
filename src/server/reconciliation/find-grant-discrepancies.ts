import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { FoundDiscrepancy, ReconciliationScope } from "./discrepancy";

type Row = { grant_id: string; customer_id: string; currency: string; category: string; expected: string; actual: string };

/**
 * Grants ↔ ledger: each live grant's (or one that expired in the window) remaining amount —
 * issued minus every burn allocated to it, 0 once expired — must equal its ledger account's
 * posted balance (a liability, credit-normal).
 */
export async function findGrantDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const rows = await executeRows<Row>(
    db,
    sql`with grants as (
          select g.* from credit_grants g
          where g.ledger_account_id is not null and (g.expired_at is null or g.expired_at >= ${scope.from.toISOString()}::timestamptz)
        ),
        burned as (
          select (a ->> 'grantId')::uuid as grant_id, sum((a ->> 'amountMicros')::numeric) as amount
          from credit_burns b cross join lateral jsonb_array_elements(b.allocations) a
          where b.customer_id in (select customer_id from grants)
          group by 1
        ),
        balances as (
          select g.id as grant_id,
                 (b.posted_credits - b.posted_debits + coalesce((select sum(d.posted_credits - d.posted_debits) from ledger_balance_deltas d where d.account_id = g.ledger_account_id), 0)) as balance
          from grants g join ledger_balances b on b.account_id = g.ledger_account_id
        )
        select g.id::text as grant_id, g.customer_id::text as customer_id, g.currency, g.category,
               (case when g.expired_at is not null then 0 else g.amount_micros - coalesce(burned.amount, 0) end)::text as expected,
               coalesce(balances.balance, 0)::text as actual
        from grants g left join burned on burned.grant_id = g.id left join balances on balances.grant_id = g.id
        where (case when g.expired_at is not null then 0 else g.amount_micros - coalesce(burned.amount, 0) end) <> coalesce(balances.balance, 0)`,
  );
  return rows.map((row) => ({
    kind: "grant_balance" as const,
    key: `grant_balance:${row.grant_id}`,
    customerId: row.customer_id,
    objects: { grantId: row.grant_id, category: row.category },
    unit: "micros" as const,
    currency: row.currency,
    expected: row.expected,
    actual: row.actual,
    description: `A ${row.category} grant's ledger balance differs from what it was issued less what was burned from it.`,
  }));
}
