import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerEntryPhase, LedgerTransactionKind } from "@/db/schema";
import { ledgerLimits } from "./types";

export type ListJournalEntriesInput = {
  /** Half-open [from, to) on effective_at. */
  from: Date;
  to: Date;
  /** Rows per database round trip (≤ 500). */
  pageSize?: number;
};

export type JournalEntry = {
  entryId: string;
  effectiveAt: string;
  postedAt: string;
  transactionId: string;
  idempotencyKey: string;
  kind: LedgerTransactionKind;
  description: string;
  accountCode: string;
  currency: string;
  phase: LedgerEntryPhase;
  debit: bigint;
  credit: bigint;
};

const isoUtc = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);

/** Every entry effective in [from, to), in (effective_at, id) order, paged by keyset: memory stays bounded. */
export async function* listJournalEntries(db: Db, input: ListJournalEntriesInput): AsyncGenerator<JournalEntry> {
  const pageSize = Math.max(1, Math.min(input.pageSize ?? ledgerLimits.pageSizeMax, ledgerLimits.pageSizeMax));
  let after: { effectiveAt: string; id: string } | null = null;
  for (let page = 0; page < 100_000_000; page++) {
    const rows: Array<{
      id: string;
      effective_at_raw: string;
      effective_at: string;
      posted_at: string;
      transaction_id: string;
      idempotency_key: string;
      kind: LedgerTransactionKind;
      description: string;
      code: string;
      currency: string;
      phase: LedgerEntryPhase;
      amount: string;
    }> = await executeRows(
      db,
      sql`select e.id::text, e.effective_at::text as effective_at_raw, ${isoUtc("e.effective_at")} as effective_at,
            ${isoUtc("t.posted_at")} as posted_at, e.transaction_id, t.idempotency_key, t.kind, t.description,
            a.code, e.currency, e.phase, e.amount::text
          from ledger_entries e
          join ledger_transactions t on t.id = e.transaction_id
          join ledger_accounts a on a.id = e.account_id
          where e.effective_at >= ${input.from.toISOString()}::timestamptz and e.effective_at < ${input.to.toISOString()}::timestamptz
            and (${after?.effectiveAt ?? null}::timestamptz is null or (e.effective_at, e.id) > (${after?.effectiveAt ?? null}::timestamptz, ${after?.id ?? null}::int8))
          order by e.effective_at, e.id
          limit ${pageSize}`,
    );
    for (const row of rows) {
      const amount = BigInt(row.amount);
      yield {
        entryId: row.id,
        effectiveAt: row.effective_at,
        postedAt: row.posted_at,
        transactionId: row.transaction_id,
        idempotencyKey: row.idempotency_key,
        kind: row.kind,
        description: row.description,
        accountCode: row.code,
        currency: row.currency,
        phase: row.phase,
        debit: amount > 0n ? amount : 0n,
        credit: amount < 0n ? -amount : 0n,
      };
    }
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { effectiveAt: last.effective_at_raw, id: last.id };
  }
}
