import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type LedgerDifference =
  | { check: "balance"; accountId: string; code: string; field: "posted_debits" | "posted_credits" | "pending_debits" | "pending_credits"; stored: bigint; fromEntries: bigint }
  | { check: "transaction_unbalanced"; transactionId: string; currency: string; phase: string; sum: bigint }
  | { check: "transaction_entries"; transactionId: string; entries: number }
  | { check: "hold_status"; transactionId: string; status: string; resolutions: number }
  | { check: "trial_balance"; currency: string; sum: bigint }
  | { check: "period_snapshot"; periodStart: string; accountId: string; field: "period_debits" | "period_credits" | "posted_debits" | "posted_credits" | "missing"; stored: bigint; fromEntries: bigint };

export type VerifyLedgerResult = {
  ok: boolean;
  differenceCount: number;
  /** The first `differencesMax` differences. */
  differences: LedgerDifference[];
  accountsChecked: number;
  transactionsChecked: number;
};

export const verifyDifferencesMax = 1000;

/**
 * Recomputes every balance from the entries and compares it with what is stored (balance rows plus
 * uncompacted deltas); re-checks that every transaction balances per currency and phase, has two or
 * more entries, that holds and their resolutions agree, that the trial balance sums to zero, and
 * that the balance snapshots of closed months equal their entries.
 * Reads one snapshot (repeatable read), so it may run while posting goes on. Full scans: a job.
 */
export async function verifyLedger(db: Db): Promise<VerifyLedgerResult> {
  return db.transaction(
    async (tx) => {
      const differences: LedgerDifference[] = [];
      let differenceCount = 0;
      const add = (difference: LedgerDifference) => {
        differenceCount++;
        if (differences.length < verifyDifferencesMax) differences.push(difference);
      };
      const balances = await executeRows<{ account_id: string; code: string; field: string; stored: string; from_entries: string }>(
        tx,
        sql`with from_entries as (
              select account_id,
                coalesce(sum(amount) filter (where phase = 'posted' and amount > 0), 0) as posted_debits,
                coalesce(-sum(amount) filter (where phase = 'posted' and amount < 0), 0) as posted_credits,
                coalesce(sum(amount) filter (where phase = 'pending' and amount > 0), 0)
                  + coalesce(sum(amount) filter (where phase = 'release' and amount < 0), 0) as pending_debits,
                coalesce(-sum(amount) filter (where phase = 'pending' and amount < 0), 0)
                  - coalesce(sum(amount) filter (where phase = 'release' and amount > 0), 0) as pending_credits
              from ledger_entries group by account_id
            ), deltas as (
              select account_id, sum(posted_debits) as posted_debits, sum(posted_credits) as posted_credits,
                sum(pending_debits) as pending_debits, sum(pending_credits) as pending_credits
              from ledger_balance_deltas group by account_id
            ), compared as (
              select a.id as account_id, a.code,
                coalesce(b.posted_debits, 0) + coalesce(d.posted_debits, 0) as s_pd, coalesce(e.posted_debits, 0) as e_pd,
                coalesce(b.posted_credits, 0) + coalesce(d.posted_credits, 0) as s_pc, coalesce(e.posted_credits, 0) as e_pc,
                coalesce(b.pending_debits, 0) + coalesce(d.pending_debits, 0) as s_qd, coalesce(e.pending_debits, 0) as e_qd,
                coalesce(b.pending_credits, 0) + coalesce(d.pending_credits, 0) as s_qc, coalesce(e.pending_credits, 0) as e_qc,
                b.account_id is null as missing
              from ledger_accounts a
              left join ledger_balances b on b.account_id = a.id
              left join deltas d on d.account_id = a.id
              left join from_entries e on e.account_id = a.id
            )
            select account_id, code, field, stored::text, from_entries::text from compared
            cross join lateral (values ('posted_debits', s_pd, e_pd), ('posted_credits', s_pc, e_pc),
              ('pending_debits', s_qd, e_qd), ('pending_credits', s_qc, e_qc)) as v(field, stored, from_entries)
            where stored <> from_entries or missing
            order by code, field
            limit ${verifyDifferencesMax}`,
      );
      for (const row of balances) {
        add({ check: "balance", accountId: row.account_id, code: row.code, field: row.field as "posted_debits", stored: BigInt(row.stored), fromEntries: BigInt(row.from_entries) });
      }
      const orphanDeltas = await executeRows<{ count: string }>(
        tx,
        sql`select count(*)::text as count from ledger_balance_deltas d where not exists (select 1 from ledger_accounts a where a.id = d.account_id)`,
      );
      differenceCount += Number(orphanDeltas[0]?.count ?? 0);
      const unbalanced = await executeRows<{ transaction_id: string; currency: string; phase: string; total: string }>(
        tx,
        sql`select transaction_id, currency, phase, sum(amount)::text as total from ledger_entries
            group by transaction_id, currency, phase having sum(amount) <> 0 limit ${verifyDifferencesMax}`,
      );
      for (const row of unbalanced) add({ check: "transaction_unbalanced", transactionId: row.transaction_id, currency: row.currency, phase: row.phase, sum: BigInt(row.total) });
      const entryCounts = await executeRows<{ id: string; entries: number }>(
        tx,
        sql`select t.id, count(e.id)::int as entries from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
            group by t.id having count(e.id) < 2 limit ${verifyDifferencesMax}`,
      );
      for (const row of entryCounts) add({ check: "transaction_entries", transactionId: row.id, entries: Number(row.entries) });
      const holds = await executeRows<{ id: string; status: string; resolutions: number }>(
        tx,
        sql`select id, status, resolutions from (
              select h.id, h.status, (select count(*) from ledger_transactions r where r.pending_transaction_id = h.id)::int as resolutions
              from ledger_transactions h
              where exists (select 1 from ledger_entries he where he.transaction_id = h.id and he.phase = 'pending')
            ) holds
            where (status = 'pending') <> (resolutions = 0) or resolutions > 1
            limit ${verifyDifferencesMax}`,
      );
      for (const row of holds) add({ check: "hold_status", transactionId: row.id, status: row.status, resolutions: Number(row.resolutions) });
      const trial = await executeRows<{ currency: string; total: string }>(
        tx,
        sql`select currency, sum(amount)::text as total from ledger_entries group by currency having sum(amount) <> 0`,
      );
      for (const row of trial) add({ check: "trial_balance", currency: row.currency, sum: BigInt(row.total) });
      for (const difference of await verifyPeriodSnapshots(tx)) add(difference);
      const counts = await executeRows<{ accounts: number; transactions: number }>(
        tx,
        sql`select (select count(*) from ledger_accounts)::int as accounts, (select count(*) from ledger_transactions)::int as transactions`,
      );
      return {
        ok: differenceCount === 0,
        differenceCount,
        differences,
        accountsChecked: Number(counts[0]?.accounts ?? 0),
        transactionsChecked: Number(counts[0]?.transactions ?? 0),
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * The balance snapshots of closed months (written at close, read by the reports): each month's
 * movement per account equals its entries, each cumulative balance equals the month before's plus
 * the movement (the first closed month starts from zero), and no account that moved in a closed
 * month is missing. One pass over the closed months' entries.
 */
async function verifyPeriodSnapshots(db: Db): Promise<LedgerDifference[]> {
  const rows = await executeRows<{ period_start: string; account_id: string; field: string; stored: string; from_entries: string }>(
    db,
    sql`with closed as (
          select period_start from accounting_periods where status = 'closed'
        ), moved as (
          select (date_trunc('month', e.effective_at at time zone 'UTC') at time zone 'UTC') as period_start, e.account_id,
                 coalesce(sum(e.amount) filter (where e.amount > 0), 0) as debits, coalesce(-sum(e.amount) filter (where e.amount < 0), 0) as credits
          from ledger_entries e
          where e.phase = 'posted' and e.effective_at < coalesce(ledger_closed_through(), '-infinity'::timestamptz)
          group by 1, 2
        ), compared as (
          select coalesce(s.period_start, m.period_start) as period_start, coalesce(s.account_id, m.account_id) as account_id,
                 s.account_id is null as missing,
                 coalesce(s.period_debits, 0) as s_pd, coalesce(m.debits, 0) as e_pd,
                 coalesce(s.period_credits, 0) as s_pc, coalesce(m.credits, 0) as e_pc,
                 coalesce(s.posted_debits, 0) as s_cd, coalesce(prev.posted_debits, 0) + coalesce(s.period_debits, 0) as e_cd,
                 coalesce(s.posted_credits, 0) as s_cc, coalesce(prev.posted_credits, 0) + coalesce(s.period_credits, 0) as e_cc
          from (select * from ledger_period_balances where period_start in (select period_start from closed)) s
          full join moved m on m.period_start = s.period_start and m.account_id = s.account_id
          left join ledger_period_balances prev on prev.account_id = s.account_id
            and prev.period_start = (s.period_start at time zone 'UTC' - interval '1 month') at time zone 'UTC'
        )
        select period_start::text, account_id, field, stored::text, from_entries::text from compared
        cross join lateral (values ('missing', 0::numeric, case when missing then 1 else 0 end::numeric), ('period_debits', s_pd, e_pd), ('period_credits', s_pc, e_pc),
          ('posted_debits', s_cd, e_cd), ('posted_credits', s_cc, e_cc)) as v(field, stored, from_entries)
        where stored <> from_entries
        limit ${verifyDifferencesMax}`,
  );
  return rows.map((row) => ({
    check: "period_snapshot",
    periodStart: row.period_start,
    accountId: row.account_id,
    field: row.field as "missing",
    stored: BigInt(row.stored),
    fromEntries: BigInt(row.from_entries),
  }));
}
