import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind } from "@/db/schema";
import { ledgerAccountKinds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { uuidPattern } from "./ids";
import { jsonbArray, textArray, uuidArray } from "./sql-arrays";
import type { LedgerAccountSummary } from "./types";

export type EnsureAccountInput = {
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  customerId?: string | null;
  /** The normal-side available balance may never go below zero (grants). */
  nonNegative?: boolean;
  metadata?: Record<string, string>;
};
export type EnsureAccountsInput = EnsureAccountInput[];
/** The accounts in input order, created or found by code. */
export type EnsureAccountsResult = LedgerAccountSummary[];

export const ensureAccountsMax = 1000;

/**
 * Creates accounts that do not exist yet, by code, with their balance rows; idempotent and safe
 * under concurrency. An existing account with another definition (kind, currency, customer,
 * non-negative flag) is a conflict: accounts never change meaning.
 */
export async function ensureAccounts(db: Db, input: EnsureAccountsInput): Promise<EnsureAccountsResult> {
  if (input.length > ensureAccountsMax) throw new DomainError("too_large", "ledger_accounts_too_many", `Ensure at most ${ensureAccountsMax} accounts at once.`);
  if (input.length === 0) return [];
  for (const account of input) validateAccount(account);
  const unique = [...new Map(input.map((account) => [account.code, account])).values()].sort((a, b) => (a.code < b.code ? -1 : 1));
  await executeRows(
    db,
    sql`with created as (
          insert into ledger_accounts (code, kind, currency, customer_id, non_negative, metadata)
          select * from unnest(${textArray(unique.map((a) => a.code))}, ${textArray(unique.map((a) => a.kind))},
            ${textArray(unique.map((a) => a.currency))}, ${uuidArray(unique.map((a) => a.customerId ?? null))},
            ${sql`${`{${unique.map((a) => (a.nonNegative ? "t" : "f")).join(",")}}`}::bool[]`}, ${jsonbArray(unique.map((a) => a.metadata ?? {}))})
          on conflict (code) do nothing
          returning id, kind, non_negative
        )
        insert into ledger_balances (account_id, non_negative_side)
        select id, case when non_negative then (case when kind in ('asset', 'expense') then 'debit' else 'credit' end) end from created`,
  );
  const rows = await executeRows<{ id: string; code: string; kind: LedgerAccountKind; currency: string; customer_id: string | null; non_negative: boolean; closed: boolean }>(
    db,
    sql`select id, code, kind, currency, customer_id, non_negative, closed from ledger_accounts where code = any(${textArray(unique.map((a) => a.code))})`,
  );
  const byCode = new Map(rows.map((row) => [row.code, row]));
  return input.map((account) => {
    const row = byCode.get(account.code);
    if (!row) throw new Error(`ledger: account ${account.code} neither created nor found`);
    const same =
      row.kind === account.kind &&
      row.currency === account.currency &&
      (row.customer_id ?? null) === (account.customerId ?? null) &&
      row.non_negative === (account.nonNegative ?? false);
    if (!same) {
      throw new DomainError("conflict", "ledger_account_definition_conflict", `Account ${account.code} already exists with a different definition.`);
    }
    return { id: row.id, code: row.code, kind: row.kind, currency: row.currency, customerId: row.customer_id, nonNegative: row.non_negative, closed: row.closed };
  });
}

function validateAccount(account: EnsureAccountInput): void {
  const valid =
    typeof account.code === "string" &&
    account.code.length > 0 &&
    account.code.length <= 300 &&
    (ledgerAccountKinds as readonly string[]).includes(account.kind) &&
    /^[a-z]{3}$/.test(account.currency) &&
    (account.customerId == null || uuidPattern.test(account.customerId));
  if (!valid) throw new DomainError("invalid", "ledger_account_invalid", `Account ${String(account.code)} needs a code, a kind, a lower-case currency and a uuid customer.`);
}
