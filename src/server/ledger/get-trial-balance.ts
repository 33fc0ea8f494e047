import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type TrialBalanceRow = {
  accountId: string;
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  /** Net debit balance (debits - credits) when positive, else 0. */
  debit: bigint;
  /** Net credit balance when positive, else 0. */
  credit: bigint;
};

export type GetTrialBalanceInput = { asOf: Date };
export type GetTrialBalanceResult = {
  asOf: Date;
  rows: TrialBalanceRow[];
  /** Per currency: total debits equal total credits. */
  totals: Array<{ currency: string; debit: bigint; credit: bigint }>;
};

export const trialBalanceAccountsMax = 10_000;
const pageSize = 1000;

/**
 * Every account's posted balance from entries effective at or before `asOf`, pages of accounts by
 * code (bounded memory); accounts with no balance are left out. An async generator so CSV export
 * streams it.
 */
export async function* listTrialBalanceRows(db: Db, input: GetTrialBalanceInput): AsyncGenerator<TrialBalanceRow> {
  let afterCode = "";
  for (let page = 0; page < 1_000_000; page++) {
    const rows = await executeRows<{ id: string; code: string; kind: LedgerAccountKind; currency: string; net: string }>(
      db,
      sql`select a.id, a.code, a.kind, a.currency, s.net::text as net
          from (select id, code, kind, currency from ledger_accounts where code > ${afterCode} order by code limit ${pageSize}) a
          cross join lateral (
            select coalesce(sum(e.amount), 0) as net from ledger_entries e
            where e.account_id = a.id and e.phase = 'posted' and e.effective_at <= ${input.asOf.toISOString()}::timestamptz
          ) s
          order by a.code`,
    );
    for (const row of rows) {
      const net = BigInt(row.net);
      if (net === 0n) continue;
      yield { accountId: row.id, code: row.code, kind: row.kind, currency: row.currency, debit: net > 0n ? net : 0n, credit: net < 0n ? -net : 0n };
    }
    if (rows.length < pageSize) return;
    afterCode = rows[rows.length - 1]!.code;
  }
}

/** The trial balance as of a time, with totals per currency (debits always equal credits). */
export async function getTrialBalance(db: Db, input: GetTrialBalanceInput): Promise<GetTrialBalanceResult> {
  const rows: TrialBalanceRow[] = [];
  const totals = new Map<string, { currency: string; debit: bigint; credit: bigint }>();
  for await (const row of listTrialBalanceRows(db, input)) {
    if (rows.length >= trialBalanceAccountsMax) {
      throw new DomainError("too_large", "ledger_trial_balance_too_large", `More than ${trialBalanceAccountsMax} accounts: export the trial balance as CSV.`);
    }
    rows.push(row);
    const total = totals.get(row.currency) ?? { currency: row.currency, debit: 0n, credit: 0n };
    total.debit += row.debit;
    total.credit += row.credit;
    totals.set(row.currency, total);
  }
  return { asOf: input.asOf, rows, totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)) };
}
