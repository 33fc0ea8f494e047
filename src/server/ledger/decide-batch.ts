import type { LedgerAccountKind, LedgerEntryPhase, LedgerTransactionKind, LedgerTransactionStatus } from "@/db/schema";
import { addTotals, availableOnNormalSide, entryEffect } from "./balance-math";
import { contentHash } from "./content-hash";
import { newTransactionId } from "./ids";
import { validateTransaction } from "./validate-transaction";
import {
  isResolution,
  type BalanceTotals,
  type PostTransactionErrorCode,
  type PostTransactionInput,
  type PostTransactionResult,
  type ResolvePendingInput,
  type ReverseInput,
  type TransferInput,
} from "./types";

/** What posting reads before deciding: accounts, locked balances, existing keys, holds and reversal targets. */
export type PostingSnapshot = {
  accountsById: Map<string, SnapshotAccount>;
  accountsByCode: Map<string, SnapshotAccount>;
  /** Live totals of the non-negative accounts involved, locked FOR UPDATE. */
  lockedTotals: Map<string, BalanceTotals>;
  existingByKey: Map<string, { id: string; contentHash: string }>;
  /** Holds and reversal targets named by the batch, locked FOR UPDATE, with their entries. */
  targets: Map<string, TargetTransaction>;
  /** End of the latest closed accounting month: nothing may take effect before it (null: none closed). */
  closedThrough: Date | null;
};

/** Metadata keys a posting moved out of a closed month carries: the date it was meant for and the month it corrects. */
export const closedPeriodMetadata = { requestedEffectiveAt: "requested_effective_at", correctsPeriod: "corrects_period" } as const;

/**
 * Where a posting dated `requested` takes effect: there, or — when that month is closed — at the
 * first instant of the next open period, with a reference to the date and month it corrects. Late
 * usage, a webhook payment dated in a closed month and a reversal of a closed month's transaction
 * all land in the open period instead of failing for ever.
 */
export function effectiveInOpenPeriod(requested: Date, closedThrough: Date | null, metadata: Record<string, string>): { effectiveAt: Date; metadata: Record<string, string> } {
  if (closedThrough === null || requested.getTime() >= closedThrough.getTime()) return { effectiveAt: requested, metadata };
  return {
    effectiveAt: closedThrough,
    metadata: {
      ...metadata,
      [closedPeriodMetadata.requestedEffectiveAt]: requested.toISOString(),
      [closedPeriodMetadata.correctsPeriod]: requested.toISOString().slice(0, 7),
    },
  };
}

export type SnapshotAccount = {
  id: string;
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  nonNegative: boolean;
  closed: boolean;
};

export type TargetTransaction = {
  id: string;
  kind: LedgerTransactionKind;
  status: LedgerTransactionStatus;
  expiresAt: Date | null;
  customerId: string | null;
  invoiceId: string | null;
  grantId: string | null;
  stripeObjectId: string | null;
  /** The reversal that already exists, if any. */
  reversedBy: string | null;
  entries: Array<{ accountId: string; currency: string; amount: bigint; phase: LedgerEntryPhase }>;
};

export type TransactionRow = {
  id: string;
  idempotencyKey: string;
  contentHash: string;
  kind: LedgerTransactionKind;
  status: LedgerTransactionStatus;
  effectiveAt: Date;
  description: string;
  customerId: string | null;
  invoiceId: string | null;
  grantId: string | null;
  stripeObjectId: string | null;
  actorType: string;
  actorId: string;
  expiresAt: Date | null;
  pendingTransactionId: string | null;
  reversesTransactionId: string | null;
  metadata: Record<string, string>;
};

export type EntryRow = {
  transactionId: string;
  accountId: string;
  currency: string;
  amount: bigint;
  phase: LedgerEntryPhase;
  effectiveAt: Date;
};

export type PostingPlan = {
  transactions: TransactionRow[];
  entries: EntryRow[];
  /** Summed changes per non-negative account (applied to its locked balance row). */
  lockedDeltas: Map<string, BalanceTotals>;
  /** Summed changes per other account (appended as one delta row each). */
  otherDeltas: Map<string, BalanceTotals>;
  /** Holds resolved by this batch. */
  resolutions: Array<{ id: string; status: "posted" | "voided" | "expired" }>;
};

type ItemPlan = { transaction: TransactionRow; entries: EntryRow[]; resolution?: PostingPlan["resolutions"][number] };
type Decision = { result: PostTransactionResult; plan?: ItemPlan };
type Failure = { code: PostTransactionErrorCode; message: string; entryIndex?: number; transactionId?: string };

/** Batch-local state: what earlier items of the batch did, with an undo log for linked chains. */
class BatchState {
  readonly keys = new Map<string, { id: string; contentHash: string }>();
  readonly resolved = new Map<string, "posted" | "voided" | "expired">();
  readonly reversed = new Map<string, string>();
  private undo: Array<() => void> = [];

  constructor(readonly snapshot: PostingSnapshot, readonly now: Date) {}

  mark(): number {
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.undo.length > mark) this.undo.pop()!();
  }

  record(step: () => void): void {
    this.undo.push(step);
  }

  findKey(key: string): { id: string; contentHash: string } | undefined {
    return this.keys.get(key) ?? this.snapshot.existingByKey.get(key);
  }
}

/**
 * Decides every item of a batch in order, in memory, against a snapshot read under the locks that
 * matter (TigerBeetle's state machine, with PostgreSQL as storage). Pure: no I/O.
 */
export function decideBatch(
  items: readonly PostTransactionInput[],
  snapshot: PostingSnapshot,
  now: Date,
): { results: PostTransactionResult[]; plan: PostingPlan } {
  const state = new BatchState(snapshot, now);
  const results = new Array<PostTransactionResult>(items.length);
  const committed: ItemPlan[] = [];
  let start = 0;
  while (start < items.length) {
    let end = start;
    while (end < items.length && items[end]!.linked === true) end++;
    if (end === items.length) {
      for (let index = start; index < end; index++) {
        results[index] = { status: "linked_chain_open", message: "The last item of a batch may not be linked: the chain has no end." };
      }
      break;
    }
    const mark = state.mark();
    const chain: ItemPlan[] = [];
    let failedAt = -1;
    for (let index = start; index <= end; index++) {
      const decision = decideItem(items[index]!, state);
      results[index] = decision.result;
      if (decision.result.status !== "created" && decision.result.status !== "exists") {
        failedAt = index;
        break;
      }
      if (decision.plan) chain.push(decision.plan);
    }
    if (failedAt >= 0) {
      state.rollbackTo(mark);
      for (let index = start; index <= end; index++) {
        if (index !== failedAt) {
          results[index] = { status: "linked_failed", message: `Item ${failedAt} of this linked chain failed, so this item was not posted.` };
        }
      }
    } else {
      committed.push(...chain);
    }
    start = end + 1;
  }
  return { results, plan: toPlan(committed, snapshot) };
}

function decideItem(item: PostTransactionInput, state: BatchState): Decision {
  const invalid = validateTransaction(item, state.now);
  if (invalid) return fail(invalid);
  if (isResolution(item)) {
    return decideResolution(item, state);
  }
  if (item.type === "reverse") return decideReversal(item, state);
  return decideTransfer(item, state);
}

function decideTransfer(item: TransferInput, state: BatchState): Decision {
  const accounts: SnapshotAccount[] = [];
  for (let index = 0; index < item.entries.length; index++) {
    const entry = item.entries[index]!;
    const account = entry.accountId
      ? state.snapshot.accountsById.get(entry.accountId)
      : state.snapshot.accountsByCode.get(entry.accountCode!);
    if (!account) {
      return fail({ code: "account_not_found", message: `No ledger account ${entry.accountId ?? entry.accountCode}.`, entryIndex: index });
    }
    accounts.push(account);
  }
  const hash = contentHash(item, accounts.map((account) => account.id));
  const existing = checkKey(item.idempotencyKey, hash, state);
  if (existing) return existing;
  for (let index = 0; index < accounts.length; index++) {
    const account = accounts[index]!;
    if (account.closed) return fail({ code: "account_closed", message: `Account ${account.code} is closed.`, entryIndex: index });
    if (account.currency !== item.entries[index]!.currency) {
      return fail({
        code: "currency_mismatch",
        message: `Account ${account.code} holds ${account.currency}, not ${item.entries[index]!.currency}.`,
        entryIndex: index,
      });
    }
  }
  const id = newTransactionId(state.now.getTime());
  const placed = effectiveInOpenPeriod(item.effectiveAt ?? state.now, state.snapshot.closedThrough, item.metadata ?? {});
  const effectiveAt = placed.effectiveAt;
  const phase: LedgerEntryPhase = item.pending ? "pending" : "posted";
  const entries = item.entries.map((entry, index) => ({
    transactionId: id,
    accountId: accounts[index]!.id,
    currency: entry.currency,
    amount: entry.direction === "debit" ? entry.amount : -entry.amount,
    phase,
    effectiveAt,
  }));
  const transaction: TransactionRow = {
    id,
    idempotencyKey: item.idempotencyKey,
    contentHash: hash,
    kind: item.kind,
    status: item.pending ? "pending" : "posted",
    effectiveAt,
    description: item.description ?? "",
    customerId: item.references?.customerId ?? null,
    invoiceId: item.references?.invoiceId ?? null,
    grantId: item.references?.grantId ?? null,
    stripeObjectId: item.references?.stripeObjectId ?? null,
    actorType: item.actor.type,
    actorId: item.actor.id,
    expiresAt: item.pending?.expiresAt ?? null,
    pendingTransactionId: null,
    reversesTransactionId: null,
    metadata: placed.metadata,
  };
  return apply(state, { transaction, entries });
}

function decideReversal(item: ReverseInput, state: BatchState): Decision {
  const hash = contentHash(item, []);
  const existing = checkKey(item.idempotencyKey, hash, state);
  if (existing) return existing;
  const target = state.snapshot.targets.get(item.transactionId);
  if (!target) return fail({ code: "reversal_target_not_found", message: `No ledger transaction ${item.transactionId}.` });
  if (target.status === "pending") {
    return fail({ code: "reversal_target_pending", message: "A pending transaction is voided, not reversed." });
  }
  const reversal = state.reversed.get(target.id) ?? target.reversedBy;
  if (reversal) {
    return fail({ code: "already_reversed", message: "This transaction has already been reversed.", transactionId: reversal });
  }
  const posted = target.entries.filter((entry) => entry.phase === "posted");
  if (posted.length === 0) return fail({ code: "reversal_target_empty", message: "This transaction has no posted entries to reverse." });
  const closed = posted.findIndex((entry) => state.snapshot.accountsById.get(entry.accountId)!.closed);
  if (closed >= 0) return fail({ code: "account_closed", message: "An account of this transaction is closed.", entryIndex: closed });
  const id = newTransactionId(state.now.getTime());
  const placed = effectiveInOpenPeriod(item.effectiveAt ?? state.now, state.snapshot.closedThrough, {});
  const effectiveAt = placed.effectiveAt;
  const transaction: TransactionRow = {
    ...fromTarget(target),
    metadata: placed.metadata,
    id,
    idempotencyKey: item.idempotencyKey,
    contentHash: hash,
    kind: "reversal",
    status: "posted",
    effectiveAt,
    description: item.description ?? "",
    actorType: item.actor.type,
    actorId: item.actor.id,
    reversesTransactionId: target.id,
  };
  const entries = posted.map((entry) => ({ ...entry, transactionId: id, amount: -entry.amount, effectiveAt }));
  const decision = apply(state, { transaction, entries });
  if (decision.plan) {
    state.reversed.set(target.id, id);
    state.record(() => state.reversed.delete(target.id));
  }
  return decision;
}

function decideResolution(item: ResolvePendingInput, state: BatchState): Decision {
  const hash = contentHash(item, []);
  const existing = checkKey(item.idempotencyKey, hash, state);
  if (existing) return existing;
  const target = state.snapshot.targets.get(item.pendingTransactionId);
  const held = target?.entries.filter((entry) => entry.phase === "pending") ?? [];
  if (!target || held.length === 0) {
    return fail({ code: "pending_transaction_not_found", message: `No pending transaction ${item.pendingTransactionId}.` });
  }
  const status = state.resolved.get(target.id) ?? target.status;
  if (status !== "pending") {
    const code = status === "posted" ? "pending_transaction_already_posted" : status === "voided" ? "pending_transaction_already_voided" : "pending_transaction_already_expired";
    return fail({ code, message: `This hold is already ${status}.` });
  }
  const expired = target.expiresAt !== null && state.now.getTime() >= target.expiresAt.getTime();
  if (item.type === "expire_pending" && !expired) {
    return fail({ code: "pending_transaction_not_expired", message: "This hold has not reached its expiry time." });
  }
  if (item.type !== "expire_pending" && expired) {
    return fail({ code: "pending_transaction_expired", message: "This hold has expired; it can no longer be posted or voided." });
  }
  const id = newTransactionId(state.now.getTime());
  const placed = effectiveInOpenPeriod(state.now, state.snapshot.closedThrough, {});
  const effectiveAt = placed.effectiveAt;
  const entries: EntryRow[] = held.map((entry) => ({ ...entry, transactionId: id, amount: -entry.amount, phase: "release", effectiveAt }));
  if (item.type === "post_pending") {
    const posted = postedEntries(held, item.amount);
    if ("status" in posted) return fail({ code: posted.status, message: posted.message });
    const closed = posted.findIndex((entry) => state.snapshot.accountsById.get(entry.accountId)!.closed);
    if (closed >= 0) return fail({ code: "account_closed", message: "An account of this hold is closed.", entryIndex: closed });
    for (const entry of posted) entries.push({ ...entry, transactionId: id, phase: "posted", effectiveAt });
  }
  const resolvedStatus = item.type === "post_pending" ? "posted" : item.type === "void_pending" ? "voided" : "expired";
  const transaction: TransactionRow = {
    ...fromTarget(target),
    id,
    idempotencyKey: item.idempotencyKey,
    contentHash: hash,
    kind: target.kind,
    status: "posted",
    effectiveAt,
    description: item.description ?? "",
    actorType: item.actor.type,
    actorId: item.actor.id,
    pendingTransactionId: target.id,
    metadata: placed.metadata,
  };
  const decision = apply(state, { transaction, entries, resolution: { id: target.id, status: resolvedStatus } });
  if (decision.plan) {
    state.resolved.set(target.id, resolvedStatus);
    state.record(() => state.resolved.delete(target.id));
  }
  return decision;
}

/** The posted half of a hold: all of it, or `amount` of a simple two-entry hold. */
function postedEntries(
  held: TargetTransaction["entries"],
  amount: bigint | undefined,
): TargetTransaction["entries"] | { status: PostTransactionErrorCode; message: string } {
  if (amount === undefined) return held;
  const [first, second] = held;
  const simple = held.length === 2 && first!.currency === second!.currency && first!.amount === -second!.amount;
  if (!simple) return { status: "partial_amount_unsupported", message: "A partial post needs a hold of one debit and one credit." };
  const full = first!.amount > 0n ? first!.amount : -first!.amount;
  if (amount > full) return { status: "amount_exceeds_pending", message: `The hold reserves ${full} micro-units; ${amount} is more.` };
  return held.map((entry) => ({ ...entry, amount: entry.amount > 0n ? amount : -amount }));
}

function fromTarget(target: TargetTransaction): Omit<TransactionRow, "id" | "idempotencyKey" | "contentHash" | "kind" | "status" | "effectiveAt" | "description" | "actorType" | "actorId"> {
  return {
    customerId: target.customerId,
    invoiceId: target.invoiceId,
    grantId: target.grantId,
    stripeObjectId: target.stripeObjectId,
    expiresAt: null,
    pendingTransactionId: null,
    reversesTransactionId: null,
    metadata: {},
  };
}

function checkKey(key: string, hash: string, state: BatchState): Decision | null {
  const found = state.findKey(key);
  if (!found) return null;
  if (found.contentHash === hash) return { result: { status: "exists", transactionId: found.id } };
  return fail({
    code: "exists_with_different_content",
    message: "This idempotency key was used for a different transaction.",
    transactionId: found.id,
  });
}

/** Applies an item's effect on locked balances; refuses it, changing nothing, if one would go below zero. */
function apply(state: BatchState, plan: ItemPlan): Decision {
  const mark = state.mark();
  const touched = new Set<string>();
  for (const entry of plan.entries) {
    const totals = state.snapshot.lockedTotals.get(entry.accountId);
    if (!totals) continue;
    const effect = entryEffect(entry.amount, entry.phase);
    addTotals(totals, effect);
    state.record(() => addTotals(totals, effect, -1n));
    touched.add(entry.accountId);
  }
  for (const accountId of touched) {
    const account = state.snapshot.accountsById.get(accountId)!;
    if (availableOnNormalSide(account.kind, state.snapshot.lockedTotals.get(accountId)!) < 0n) {
      state.rollbackTo(mark);
      return fail({ code: "insufficient_balance", message: `Account ${account.code} does not have enough available balance.` });
    }
  }
  state.keys.set(plan.transaction.idempotencyKey, { id: plan.transaction.id, contentHash: plan.transaction.contentHash });
  state.record(() => state.keys.delete(plan.transaction.idempotencyKey));
  return { result: { status: "created", transactionId: plan.transaction.id }, plan };
}

function fail(failure: Failure): Decision {
  const result: PostTransactionResult = { status: failure.code, message: failure.message };
  if (failure.entryIndex !== undefined) result.entryIndex = failure.entryIndex;
  if (failure.transactionId !== undefined) result.transactionId = failure.transactionId;
  return { result };
}

function toPlan(items: ItemPlan[], snapshot: PostingSnapshot): PostingPlan {
  const plan: PostingPlan = { transactions: [], entries: [], lockedDeltas: new Map(), otherDeltas: new Map(), resolutions: [] };
  for (const item of items) {
    plan.transactions.push(item.transaction);
    if (item.resolution) plan.resolutions.push(item.resolution);
    for (const entry of item.entries) {
      plan.entries.push(entry);
      const deltas = snapshot.lockedTotals.has(entry.accountId) ? plan.lockedDeltas : plan.otherDeltas;
      let totals = deltas.get(entry.accountId);
      if (!totals) {
        totals = { postedDebits: 0n, postedCredits: 0n, pendingDebits: 0n, pendingCredits: 0n };
        deltas.set(entry.accountId, totals);
      }
      addTotals(totals, entryEffect(entry.amount, entry.phase));
    }
  }
  return plan;
}
