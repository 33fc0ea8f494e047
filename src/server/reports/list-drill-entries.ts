import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { DomainError } from "@/server/errors";
import { asUuid, ts } from "./ledger-sql";
import type { DrillSpec } from "./report-model";

export type DrillEntry = {
  entryId: string;
  transactionId: string;
  effectiveAt: string;
  kind: string;
  description: string;
  accountId: string;
  accountCode: string;
  currency: string;
  debit: bigint;
  credit: bigint;
  corrects: string | null;
};

export type ListDrillEntriesResult = {
  entries: DrillEntry[];
  nextCursor: string | null;
  /** Over every matching entry (not just this page), per currency: what the number is made of. */
  totals: Array<{ currency: string; debits: bigint; credits: bigint; entries: number }>;
};

export const drillPageSizeMax = 500;

/**
 * The ledger postings behind a report's number: posted entries effective in [from, to) on the
 * accounts and transaction kinds the spec names, oldest first, paged by (effective_at, id), with
 * their totals so a person sees they add up to the number they clicked.
 */
export async function listDrillEntries(db: Db, spec: DrillSpec, page: { cursor?: string; limit?: number } = {}): Promise<ListDrillEntriesResult> {
  const where = drillWhere(spec);
  const limit = Math.max(1, Math.min(page.limit ?? 100, drillPageSizeMax));
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await executeRows<{ id: string; transaction_id: string; effective_at: string; effective_raw: string; kind: string; description: string; account_id: string; code: string; currency: string; amount: string; corrects: string | null }>(
    db,
    sql`select e.id::text, e.transaction_id, to_char(e.effective_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as effective_at, e.effective_at::text as effective_raw,
          t.kind, t.description, e.account_id, a.code, e.currency, e.amount::text, coalesce(t.metadata ->> 'corrects_period', t.reverses_transaction_id::text) as corrects
        from ledger_entries e join ledger_transactions t on t.id = e.transaction_id join ledger_accounts a on a.id = e.account_id
        where ${where} ${cursor ? sql`and (e.effective_at, e.id) > (${cursor.at}::timestamptz, ${cursor.id}::int8)` : sql``}
        order by e.effective_at, e.id limit ${limit + 1}`,
  );
  const totals = await executeRows<{ currency: string; debits: string; credits: string; entries: number }>(
    db,
    sql`select e.currency, coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as debits, coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::text as credits, count(*)::int as entries
        from ledger_entries e join ledger_transactions t on t.id = e.transaction_id join ledger_accounts a on a.id = e.account_id
        where ${where} group by e.currency order by e.currency`,
  );
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    entries: pageRows.map((row) => {
      const amount = BigInt(row.amount);
      return {
        entryId: row.id,
        transactionId: row.transaction_id,
        effectiveAt: row.effective_at,
        kind: row.kind,
        description: row.description,
        accountId: row.account_id,
        accountCode: row.code,
        currency: row.currency,
        debit: amount > 0n ? amount : 0n,
        credit: amount < 0n ? -amount : 0n,
        corrects: row.corrects,
      };
    }),
    nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify({ at: last.effective_raw, id: last.id })).toString("base64url") : null,
    totals: totals.map((row) => ({ currency: row.currency, debits: BigInt(row.debits), credits: BigInt(row.credits), entries: Number(row.entries) })),
  };
}

function drillWhere(spec: DrillSpec): SQL {
  const from = new Date(spec.from);
  const to = new Date(spec.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) throw new DomainError("invalid", "drill_invalid", "This link does not name a valid period; open it again from the report.");
  const conditions: SQL[] = [sql`e.phase = 'posted'`, sql`e.effective_at >= ${ts(from)}`, sql`e.effective_at < ${ts(to)}`];
  if (spec.accountId) conditions.push(sql`e.account_id = ${spec.accountId}::uuid`);
  if (spec.codeLike) conditions.push(sql`a.code like ${spec.codeLike}`);
  if (spec.customerId) conditions.push(sql`a.customer_id = ${spec.customerId}::uuid`);
  if (spec.kinds && spec.kinds.length > 0) conditions.push(sql`t.kind = any(${`{${spec.kinds.join(",")}}`}::text[])`);
  if (spec.planKey) {
    conditions.push(sql`exists (select 1 from invoices i join catalog_plan_versions v on v.id = i.plan_version_id join catalog_plans p on p.id = v.plan_id
      where i.id = ${asUuid("t.invoice_id")} and p.key = ${spec.planKey})`);
  }
  return sql.join(conditions, sql` and `);
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { at?: unknown; id?: unknown };
    if (typeof parsed.at === "string" && typeof parsed.id === "string" && /^\d+$/.test(parsed.id)) return { at: parsed.at, id: parsed.id };
  } catch {
    // fall through
  }
  throw new DomainError("invalid", "cursor_invalid", "This page link is no longer valid; start from the first page.");
}
