import { ledgerTransactionsPostedTotal } from "@/server/observability/tally-metrics";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { postgresError, postgresErrorCodes } from "@/db/errors";
import { executeRows } from "@/db/execute";
import type { LedgerAccountKind, LedgerEntryPhase, LedgerTransactionKind, LedgerTransactionStatus } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { decideBatch, type PostingPlan, type PostingSnapshot, type SnapshotAccount, type TargetTransaction } from "./decide-batch";
import { uuidPattern } from "./ids";
import { int8Array, jsonbArray, textArray, timestamptzArray, uuidArray } from "./sql-arrays";
import { isResolution, isTransfer, ledgerLimits, type BalanceTotals, type PostTransactionsInput, type PostTransactionsResult, type TransferInput } from "./types";

export type PostTransactionsOptions = { clock: Clock };

/** Thrown inside the database transaction when a concurrent writer took a key first: the batch is re-read and re-decided. */
class BatchRaceLost extends Error {}

/**
 * Posts up to 8,190 ledger transactions in one database transaction and returns one result per
 * item, in order (TigerBeetle's `create_transfers`). Reads what the batch needs under the locks
 * that matter (holds and reversal targets, then the balance rows of non-negative accounts, each in
 * id order), decides every item in memory, then writes everything in one set-based statement.
 * Accounts without a non-negative flag are never locked: their changes are appended as delta rows.
 */
export async function postTransactions(
  db: Db,
  batch: PostTransactionsInput,
  options: PostTransactionsOptions,
): Promise<PostTransactionsResult> {
  if (batch.length > ledgerLimits.transactionsPerBatchMax) {
    throw new DomainError("too_large", "ledger_batch_too_large", `Post at most ${ledgerLimits.transactionsPerBatchMax} transactions per batch.`);
  }
  const entryCount = batch.reduce((sum, item) => sum + (isTransfer(item) ? item.entries?.length ?? 0 : 0), 0);
  if (entryCount > ledgerLimits.entriesPerBatchMax) {
    throw new DomainError("too_large", "ledger_batch_too_large", `Post at most ${ledgerLimits.entriesPerBatchMax} entries per batch.`);
  }
  if (batch.length === 0) return { results: [] };
  const now = options.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.transaction((tx) => postOnce(tx, batch, now));
      countPosted(batch, result);
      return result;
    } catch (error) {
      const code = postgresError(error)?.code;
      // A month closed between reading the watermark and writing: decide again against the new one.
      const retryable =
        error instanceof BatchRaceLost || code === postgresErrorCodes.deadlockDetected || code === postgresErrorCodes.serializationFailure || code === periodClosedCode;
      if (!retryable || attempt >= ledgerLimits.batchAttemptsMax) throw error;
    }
  }
}

/** Accounts seen by one poster: kind, currency and the non-negative flag never change (a trigger refuses it). */
export type LedgerAccountCache = { byId: Map<string, SnapshotAccount>; byCode: Map<string, SnapshotAccount> };

export function createAccountCache(): LedgerAccountCache {
  return { byId: new Map(), byCode: new Map() };
}

/**
 * The poster's fast path: one autocommit statement, no explicit database transaction, for a batch
 * of plain transfers between accounts that are not non-negative (nothing to lock, nothing read
 * under a lock). Decided against the cached account facts and on the assumption that no key exists
 * yet; the write re-checks both (a key taken, an account closed) and aborts itself if either fails.
 * Returns null, having written nothing, whenever the full path must decide instead.
 */
export async function postTransactionsFast(
  db: Db,
  batch: PostTransactionsInput,
  options: PostTransactionsOptions & { accounts: LedgerAccountCache },
): Promise<PostTransactionsResult | null> {
  if (batch.length === 0 || batch.length > ledgerLimits.transactionsPerBatchMax) return null;
  const { accounts } = options;
  const missingIds = new Set<string>();
  const missingCodes = new Set<string>();
  let entryCount = 0;
  for (const item of batch) {
    if (!isTransfer(item) || !Array.isArray(item.entries) || item.pending) return null;
    entryCount += item.entries.length;
    for (const entry of item.entries) {
      if (typeof entry.accountId === "string" && uuidPattern.test(entry.accountId)) {
        if (!accounts.byId.has(entry.accountId)) missingIds.add(entry.accountId);
      } else if (typeof entry.accountCode === "string") {
        if (!accounts.byCode.has(entry.accountCode)) missingCodes.add(entry.accountCode);
      }
    }
  }
  if (entryCount > ledgerLimits.entriesPerBatchMax) return null;
  if (missingIds.size > 0 || missingCodes.size > 0) {
    const rows = await executeRows<{ id: string; code: string; kind: LedgerAccountKind; currency: string; non_negative: boolean; closed: boolean }>(
      db,
      sql`select id, code, kind, currency, non_negative, closed from ledger_accounts
          where id = any(${uuidArray([...missingIds])}) or code = any(${textArray([...missingCodes])})`,
    );
    for (const row of rows) {
      const account: SnapshotAccount = { id: row.id, code: row.code, kind: row.kind, currency: row.currency, nonNegative: row.non_negative, closed: row.closed };
      accounts.byId.set(account.id, account);
      accounts.byCode.set(account.code, account);
    }
  }
  const touched = new Set<string>();
  for (const item of batch) {
    for (const entry of (item as TransferInput).entries) {
      const account = entry.accountId ? accounts.byId.get(entry.accountId) : accounts.byCode.get(entry.accountCode!);
      // Unknown, closed (closing is for good) or non-negative: the full path decides.
      if (!account || account.closed || account.nonNegative) return null;
      touched.add(account.id);
    }
  }
  const now = options.clock.now();
  const snapshot: PostingSnapshot = {
    accountsById: accounts.byId,
    accountsByCode: accounts.byCode,
    lockedTotals: new Map(),
    existingByKey: new Map(),
    targets: new Map(),
    // Unknown here: the closed-period trigger refuses the write if it matters, and the full path decides.
    closedThrough: null,
  };
  const { results, plan } = decideBatch(batch, snapshot, now);
  // Any refusal may depend on a key that already exists (a retry answers `exists` first): full path.
  if (results.some((result) => result.status !== "created" && result.status !== "exists")) return null;
  if (plan.transactions.length === 0) return { results };
  try {
    await writePlan(db, plan, now, { accountIds: [...touched] });
  } catch (error) {
    if (postgresError(error)?.code === statementAbortedCode || error instanceof BatchRaceLost) return null;
    const code = postgresError(error)?.code;
    // Dated in a closed month: the full path moves it into the next open period.
    if (code === periodClosedCode) return null;
    if (code === postgresErrorCodes.deadlockDetected || code === postgresErrorCodes.serializationFailure) return null;
    throw error;
  }
  countPosted(batch, { results });
  return { results };
}

async function postOnce(db: Db, batch: PostTransactionsInput, now: Date): Promise<PostTransactionsResult> {
  const snapshot = await readSnapshot(db, batch);
  const { results, plan } = decideBatch(batch, snapshot, now);
  if (plan.transactions.length > 0) await writePlan(db, plan, now);
  return { results };
}

async function readSnapshot(db: Db, batch: PostTransactionsInput): Promise<PostingSnapshot> {
  const keys = new Set<string>();
  const accountIds = new Set<string>();
  const accountCodes = new Set<string>();
  const targetIds = new Set<string>();
  for (const item of batch) {
    if (typeof item.idempotencyKey === "string") keys.add(item.idempotencyKey);
    if (item.type === "reverse") {
      if (uuidPattern.test(item.transactionId)) targetIds.add(item.transactionId);
    } else if (isResolution(item)) {
      if (uuidPattern.test(item.pendingTransactionId)) targetIds.add(item.pendingTransactionId);
    } else if (Array.isArray(item.entries)) {
      for (const entry of item.entries) {
        if (typeof entry.accountId === "string" && uuidPattern.test(entry.accountId)) accountIds.add(entry.accountId);
        else if (typeof entry.accountCode === "string") accountCodes.add(entry.accountCode);
      }
    }
  }
  const targets = targetIds.size > 0 ? await readTargets(db, [...targetIds].sort()) : new Map<string, TargetTransaction>();
  for (const target of targets.values()) for (const entry of target.entries) accountIds.add(entry.accountId);
  return readAccountsLocksAndKeys(db, [...accountIds], [...accountCodes], [...keys], targets);
}

type SnapshotRow = {
  t: "a" | "b" | "k" | "p";
  id: string;
  code: string | null;
  kind: LedgerAccountKind | null;
  currency: string | null;
  non_negative: boolean | null;
  closed: boolean | null;
  pd: string | null;
  pc: string | null;
  qd: string | null;
  qc: string | null;
};

/**
 * One statement (one round trip) reads the accounts, locks the balance rows of the non-negative ones
 * in id order (so concurrent batches never deadlock on them) and finds the keys that already exist.
 * Each key is looked up through the unique index (LATERAL ... LIMIT 1), whatever the statistics of a
 * fast-growing table say, instead of a hashed scan of the whole table.
 */
async function readAccountsLocksAndKeys(
  db: Db,
  ids: string[],
  codes: string[],
  keys: string[],
  targets: Map<string, TargetTransaction>,
): Promise<PostingSnapshot> {
  const rows = await executeRows<SnapshotRow>(
    db,
    sql`with accounts as materialized (
          select id, code, kind, currency, non_negative, closed from ledger_accounts
          where id = any(${uuidArray(ids)}) or code = any(${textArray(codes)})
        ), locked as (
          select b.account_id, b.posted_debits, b.posted_credits, b.pending_debits, b.pending_credits from ledger_balances b
          where b.account_id in (select id from accounts where non_negative)
          order by b.account_id for update of b
        )
        select 'a' as t, id::text as id, code, kind, currency, non_negative, closed,
               null::text as pd, null::text as pc, null::text as qd, null::text as qc from accounts
        union all
        select 'b', account_id::text, null, null, null, null, null,
               posted_debits::text, posted_credits::text, pending_debits::text, pending_credits::text from locked
        union all
        select 'k', found.id::text, k.key, null, found.content_hash, null, null, null, null, null, null
        from unnest(${textArray(keys)}) as k(key)
        cross join lateral (select id, content_hash from ledger_transactions where idempotency_key = k.key limit 1) as found
        union all
        select 'p', null, null, null, null, null, null, (extract(epoch from through) * 1000)::int8::text, null, null, null
        from (select ledger_closed_through() as through) p where through is not null`,
  );
  const accountsById = new Map<string, SnapshotAccount>();
  const accountsByCode = new Map<string, SnapshotAccount>();
  const lockedTotals = new Map<string, BalanceTotals>();
  const existingByKey: PostingSnapshot["existingByKey"] = new Map();
  let closedThrough: Date | null = null;
  for (const row of rows) {
    if (row.t === "p") {
      closedThrough = new Date(Number(row.pd));
    } else if (row.t === "a") {
      const account: SnapshotAccount = { id: row.id, code: row.code!, kind: row.kind!, currency: row.currency!, nonNegative: row.non_negative!, closed: row.closed! };
      accountsById.set(account.id, account);
      accountsByCode.set(account.code, account);
    } else if (row.t === "b") {
      lockedTotals.set(row.id, { postedDebits: BigInt(row.pd!), postedCredits: BigInt(row.pc!), pendingDebits: BigInt(row.qd!), pendingCredits: BigInt(row.qc!) });
    } else {
      existingByKey.set(row.code!, { id: row.id, contentHash: row.currency! });
    }
  }
  let nonNegative = 0;
  for (const account of accountsById.values()) if (account.nonNegative) nonNegative++;
  if (lockedTotals.size !== nonNegative) throw new Error(`ledger: ${nonNegative - lockedTotals.size} non-negative accounts have no balance row`);
  return { accountsById, accountsByCode, lockedTotals, existingByKey, targets, closedThrough };
}

/** Holds and reversal targets, locked in id order: resolving or reversing one is decided by one batch at a time. */
async function readTargets(db: Db, ids: string[]): Promise<Map<string, TargetTransaction>> {
  const rows = await executeRows<{
    id: string;
    kind: LedgerTransactionKind;
    status: LedgerTransactionStatus;
    expires_at_ms: string | null;
    customer_id: string | null;
    invoice_id: string | null;
    grant_id: string | null;
    stripe_object_id: string | null;
  }>(
    db,
    sql`select id, kind, status, (extract(epoch from expires_at) * 1000)::int8::text as expires_at_ms,
               customer_id, invoice_id, grant_id, stripe_object_id
        from ledger_transactions where id = any(${uuidArray(ids)}) order by id for update`,
  );
  const reversals = await executeRows<{ target: string; id: string }>(
    db,
    sql`select reverses_transaction_id as target, id from ledger_transactions where reverses_transaction_id = any(${uuidArray(ids)})`,
  );
  const entries = await executeRows<{ transaction_id: string; account_id: string; currency: string; amount: string; phase: LedgerEntryPhase }>(
    db,
    sql`select transaction_id, account_id, currency, amount::text as amount, phase from ledger_entries
        where transaction_id = any(${uuidArray(ids)}) order by id`,
  );
  const reversedBy = new Map(reversals.map((row) => [row.target, row.id]));
  const targets = new Map<string, TargetTransaction>();
  for (const row of rows) {
    targets.set(row.id, {
      id: row.id,
      kind: row.kind,
      status: row.status,
      expiresAt: row.expires_at_ms === null ? null : new Date(Number(row.expires_at_ms)),
      customerId: row.customer_id,
      invoiceId: row.invoice_id,
      grantId: row.grant_id,
      stripeObjectId: row.stripe_object_id,
      reversedBy: reversedBy.get(row.id) ?? null,
      entries: [],
    });
  }
  for (const row of entries) {
    targets.get(row.transaction_id)?.entries.push({ accountId: row.account_id, currency: row.currency, amount: BigInt(row.amount), phase: row.phase });
  }
  return targets;
}

/**
 * One statement writes the whole batch: transactions (in key order, so concurrent batches that
 * share keys cannot deadlock), their entries, the locked balance rows and the delta rows. A key
 * taken meanwhile by another batch shows up as a missing row; the batch is then decided again.
 */
async function writePlan(db: Db, plan: PostingPlan, now: Date, guard?: WriteGuard): Promise<void> {
  const transactions = [...plan.transactions].sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0));
  const { entries } = plan;
  const locked = [...plan.lockedDeltas];
  const other = [...plan.otherDeltas];
  const column = <T, V>(rows: readonly T[], pick: (row: T) => V): V[] => rows.map(pick);
  const totals = (rows: Array<[string, BalanceTotals]>, pick: (totals: BalanceTotals) => bigint) => int8Array(rows.map(([, value]) => pick(value)));
  const counts = await executeRows<{ transactions: number; entries: number; locked: number }>(
    db,
    sql`with inserted as (
          insert into ledger_transactions (id, idempotency_key, content_hash, kind, status, effective_at, posted_at, description,
            customer_id, invoice_id, grant_id, stripe_object_id, actor_type, actor_id, expires_at, pending_transaction_id,
            reverses_transaction_id, metadata)
          select t.id, t.idempotency_key, t.content_hash, t.kind, t.status, t.effective_at, ${now.toISOString()}::timestamptz, t.description,
            t.customer_id, t.invoice_id, t.grant_id, t.stripe_object_id, t.actor_type, t.actor_id, t.expires_at, t.pending_transaction_id,
            t.reverses_transaction_id, t.metadata
          from unnest(
            ${uuidArray(column(transactions, (row) => row.id))}, ${textArray(column(transactions, (row) => row.idempotencyKey))},
            ${textArray(column(transactions, (row) => row.contentHash))}, ${textArray(column(transactions, (row) => row.kind))},
            ${textArray(column(transactions, (row) => row.status))}, ${timestamptzArray(column(transactions, (row) => row.effectiveAt))},
            ${textArray(column(transactions, (row) => row.description))}, ${uuidArray(column(transactions, (row) => row.customerId))},
            ${textArray(column(transactions, (row) => row.invoiceId))}, ${textArray(column(transactions, (row) => row.grantId))},
            ${textArray(column(transactions, (row) => row.stripeObjectId))}, ${textArray(column(transactions, (row) => row.actorType))},
            ${textArray(column(transactions, (row) => row.actorId))}, ${timestamptzArray(column(transactions, (row) => row.expiresAt))},
            ${uuidArray(column(transactions, (row) => row.pendingTransactionId))}, ${uuidArray(column(transactions, (row) => row.reversesTransactionId))},
            ${jsonbArray(column(transactions, (row) => row.metadata))}
          ) with ordinality as t(id, idempotency_key, content_hash, kind, status, effective_at, description, customer_id, invoice_id,
            grant_id, stripe_object_id, actor_type, actor_id, expires_at, pending_transaction_id, reverses_transaction_id, metadata, position)
          order by t.position
          on conflict do nothing
          returning id
        ), new_entries as (
          insert into ledger_entries (transaction_id, account_id, currency, amount, phase, effective_at)
          select e.transaction_id, e.account_id, e.currency, e.amount, e.phase, e.effective_at
          from unnest(
            ${uuidArray(column(entries, (row) => row.transactionId))}, ${uuidArray(column(entries, (row) => row.accountId))},
            ${textArray(column(entries, (row) => row.currency))}, ${int8Array(column(entries, (row) => row.amount))},
            ${textArray(column(entries, (row) => row.phase))}, ${timestamptzArray(column(entries, (row) => row.effectiveAt))}
          ) as e(transaction_id, account_id, currency, amount, phase, effective_at)
          where e.transaction_id in (select id from inserted)
          returning 1
        ), locked as (
          update ledger_balances b set
            posted_debits = b.posted_debits + d.pd, posted_credits = b.posted_credits + d.pc,
            pending_debits = b.pending_debits + d.qd, pending_credits = b.pending_credits + d.qc,
            updated_at = ${now.toISOString()}::timestamptz
          from unnest(${uuidArray(locked.map(([id]) => id))}, ${totals(locked, (value) => value.postedDebits)},
            ${totals(locked, (value) => value.postedCredits)}, ${totals(locked, (value) => value.pendingDebits)},
            ${totals(locked, (value) => value.pendingCredits)}) as d(account_id, pd, pc, qd, qc)
          where b.account_id = d.account_id
          returning 1
        ), deltas as (
          insert into ledger_balance_deltas (account_id, posted_debits, posted_credits, pending_debits, pending_credits)
          select * from unnest(${uuidArray(other.map(([id]) => id))}, ${totals(other, (value) => value.postedDebits)},
            ${totals(other, (value) => value.postedCredits)}, ${totals(other, (value) => value.pendingDebits)},
            ${totals(other, (value) => value.pendingCredits)})
          returning 1
        )
        select (select count(*) from inserted)::int as transactions, (select count(*) from new_entries)::int as entries,
               (select count(*) from locked)::int as locked${guard ? guardColumn(guard, transactions.length) : sql``}`,
  );
  const written = counts[0]!;
  if (Number(written.transactions) !== transactions.length) throw new BatchRaceLost();
  assert(Number(written.entries) === entries.length, "every entry of the batch was written");
  assert(Number(written.locked) === locked.length, "every locked balance row was updated");
  if (plan.resolutions.length > 0) await resolveHolds(db, plan.resolutions, now);
}

/**
 * For a write decided without a database transaction around it (the poster's fast path): the
 * statement aborts itself, writing nothing, if a key was taken meanwhile (a transaction row not
 * inserted) or one of the accounts is closed by now. Evaluated after every data-modifying CTE ran.
 */
type WriteGuard = { accountIds: string[] };

function guardColumn(guard: WriteGuard, expected: number): SQL {
  return sql`, case
      when (select count(*) from inserted) <> ${expected}
        or exists (select 1 from ledger_accounts where id = any(${uuidArray(guard.accountIds)}) and closed)
      then ledger_abort_statement('ledger: a key was taken or an account closed since the batch was decided')
      else 0 end as guard`;
}

/** SQLSTATE raised by ledger_abort_statement (migration ledger_statement_checks). */
const statementAbortedCode = "LG001";
/** SQLSTATE raised by the closed-period triggers (migration ledger_closed_periods). */
export const periodClosedCode = "LG002";

async function resolveHolds(db: Db, resolutions: PostingPlan["resolutions"], now: Date): Promise<void> {
  const rows = await executeRows<{ id: string }>(
    db,
    sql`update ledger_transactions t set status = r.status, resolved_at = ${now.toISOString()}::timestamptz
        from unnest(${uuidArray(resolutions.map((row) => row.id))}, ${textArray(resolutions.map((row) => row.status))}) as r(id, status)
        where t.id = r.id and t.status = 'pending'
        returning t.id`,
  );
  assert(rows.length === resolutions.length, "every hold resolved by the batch was still pending (it was locked)");
}

function assert(condition: boolean, invariant: string): asserts condition {
  if (!condition) throw new Error(`ledger invariant broken: ${invariant}`);
}

/** tally_ledger_transactions_posted_total: items newly created, by kind (holds resolved and reversals by their type); one increment per kind per batch. */
function countPosted(batch: PostTransactionsInput, result: PostTransactionsResult): void {
  const byKind = new Map<string, number>();
  for (let index = 0; index < result.results.length; index++) {
    if (result.results[index]?.status !== "created") continue;
    const item = batch[index];
    if (!item) continue;
    const kind = isTransfer(item) ? item.kind : item.type;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  for (const [kind, count] of byKind) ledgerTransactionsPostedTotal.inc({ kind }, count);
}
