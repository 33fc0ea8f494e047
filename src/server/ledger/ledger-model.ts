import type { LedgerAccountKind, LedgerEntryPhase } from "@/db/schema";
import type { BalanceTotals, PostTransactionErrorCode, PostTransactionInput, TransferInput } from "./types";

/**
 * A reference model of the ledger in plain TypeScript, written for clarity, not speed: the property
 * test runs the same random batches through it and through PostgreSQL and compares every result
 * and every balance. It deliberately shares no code with the posting path.
 */
export type ModelAccount = { id: string; kind: LedgerAccountKind; nonNegative: boolean; currency: string; totals: BalanceTotals };
type ModelEntry = { accountId: string; amount: bigint; phase: LedgerEntryPhase };
type ModelTransaction = {
  id: string | null;
  key: string;
  content: string;
  entries: ModelEntry[];
  status: "pending" | "posted" | "voided" | "expired";
  expiresAtMs: number | null;
  reversedBy: string | null;
};
type ModelState = { accounts: Map<string, ModelAccount>; byKey: Map<string, ModelTransaction>; byId: Map<string, ModelTransaction> };

/** A reversal made earlier in the same batch, whose id the model learns after the batch. */
const unbound = "(unbound)";

export type ModelResult = { status: "created" | "exists" | PostTransactionErrorCode; transactionId?: string | null };

export class LedgerModel {
  private state: ModelState = { accounts: new Map(), byKey: new Map(), byId: new Map() };
  private created: Array<ModelTransaction | null> = [];

  addAccount(id: string, kind: LedgerAccountKind, nonNegative: boolean, currency = "usd"): void {
    this.state.accounts.set(id, { id, kind, nonNegative, currency, totals: { postedDebits: 0n, postedCredits: 0n, pendingDebits: 0n, pendingCredits: 0n } });
  }

  totals(accountId: string): BalanceTotals {
    return { ...this.state.accounts.get(accountId)!.totals };
  }

  /** Applies a batch; afterwards `bind` tells the model the ids the real ledger gave to created items. */
  apply(batch: PostTransactionInput[], now: Date): ModelResult[] {
    const results: ModelResult[] = [];
    this.created = batch.map(() => null);
    let start = 0;
    while (start < batch.length) {
      let end = start;
      while (end < batch.length && batch[end]!.linked) end++;
      if (end === batch.length) {
        for (let index = start; index < end; index++) results[index] = { status: "linked_chain_open" };
        break;
      }
      const saved = cloneState(this.state);
      let failed = -1;
      for (let index = start; index <= end; index++) {
        const result = this.applyOne(batch[index]!, now, index);
        results[index] = result;
        if (result.status !== "created" && result.status !== "exists") {
          failed = index;
          break;
        }
      }
      if (failed >= 0) {
        this.state = saved;
        for (let index = start; index <= end; index++) {
          if (index !== failed) results[index] = { status: "linked_failed" };
          this.created[index] = null;
        }
      }
      start = end + 1;
    }
    return results;
  }

  bind(index: number, id: string): void {
    const transaction = this.findCreated(index);
    if (!transaction) throw new Error(`model: item ${index} was not created`);
    transaction.id = id;
    this.state.byId.set(id, transaction);
    const reversed = (transaction as ModelTransaction & { reverses?: string }).reverses;
    if (reversed) this.state.byId.get(reversed)!.reversedBy = id;
  }

  private findCreated(index: number): ModelTransaction | null {
    const made = this.created[index];
    return made ? this.state.byKey.get(made.key) ?? null : null;
  }

  private applyOne(item: PostTransactionInput, now: Date, index: number): ModelResult {
    const state = this.state;
    if (item.type === "reverse") {
      const existing = this.checkKey(item.idempotencyKey, `reverse|${item.transactionId}|${item.description ?? ""}`);
      if (existing) return existing;
      const target = state.byId.get(item.transactionId);
      if (!target) return { status: "reversal_target_not_found" };
      if (target.status === "pending") return { status: "reversal_target_pending" };
      if (target.reversedBy) return { status: "already_reversed", transactionId: target.reversedBy === unbound ? null : target.reversedBy };
      const posted = target.entries.filter((entry) => entry.phase === "posted");
      if (posted.length === 0) return { status: "reversal_target_empty" };
      const entries = posted.map((entry) => ({ ...entry, amount: -entry.amount }));
      const made = this.post(item.idempotencyKey, `reverse|${item.transactionId}|${item.description ?? ""}`, entries, "posted", null, index);
      if (made.status === "created") {
        (this.created[index] as ModelTransaction & { reverses?: string }).reverses = target.id!;
        target.reversedBy = unbound;
      }
      return made;
    }
    if (item.type === "post_pending" || item.type === "void_pending" || item.type === "expire_pending") {
      const content = `${item.type}|${item.pendingTransactionId}|${item.amount ?? ""}|${item.description ?? ""}`;
      if (item.amount !== undefined && item.amount <= 0n) return { status: "amount_not_positive" };
      const existing = this.checkKey(item.idempotencyKey, content);
      if (existing) return existing;
      const hold = state.byId.get(item.pendingTransactionId);
      const held = hold?.entries.filter((entry) => entry.phase === "pending") ?? [];
      if (!hold || held.length === 0) return { status: "pending_transaction_not_found" };
      if (hold.status !== "pending") return { status: `pending_transaction_already_${hold.status}` as PostTransactionErrorCode };
      const expired = hold.expiresAtMs !== null && now.getTime() >= hold.expiresAtMs;
      if (item.type === "expire_pending" && !expired) return { status: "pending_transaction_not_expired" };
      if (item.type !== "expire_pending" && expired) return { status: "pending_transaction_expired" };
      const entries: ModelEntry[] = held.map((entry) => ({ ...entry, amount: -entry.amount, phase: "release" }));
      if (item.type === "post_pending") {
        const full = held[0]!.amount > 0n ? held[0]!.amount : -held[0]!.amount;
        const amount = item.amount ?? full;
        if (amount > full) return { status: "amount_exceeds_pending" };
        for (const entry of held) entries.push({ ...entry, amount: entry.amount > 0n ? amount : -amount, phase: "posted" });
      }
      const made = this.post(item.idempotencyKey, content, entries, "posted", null, index);
      if (made.status === "created") hold.status = item.type === "post_pending" ? "posted" : item.type === "void_pending" ? "voided" : "expired";
      return made;
    }
    return this.applyTransfer(item as TransferInput, now, index);
  }

  private applyTransfer(item: TransferInput, now: Date, index: number): ModelResult {
    const state = this.state;
    if (item.entries.length === 0) return { status: "entries_empty" };
    if (item.entries.length === 1) return { status: "entries_too_few" };
    if (item.entries.some((entry) => entry.amount <= 0n)) return { status: "amount_not_positive" };
    const sum = item.entries.reduce((total, entry) => total + (entry.direction === "debit" ? entry.amount : -entry.amount), 0n);
    if (sum !== 0n) return { status: "unbalanced" };
    // A hold must expire in the future, judged at the time of each attempt (a retry after the
    // expiry time of a hold that was never created is refused).
    if (item.pending?.expiresAt !== undefined && item.pending.expiresAt.getTime() <= now.getTime()) return { status: "expires_at_invalid" };
    if (item.entries.some((entry) => !state.accounts.has(entry.accountId!))) return { status: "account_not_found" };
    const phase: LedgerEntryPhase = item.pending ? "pending" : "posted";
    const content = JSON.stringify([
      item.kind,
      item.description ?? "",
      item.pending?.expiresAt?.getTime() ?? (item.pending ? "hold" : ""),
      item.entries.map((entry) => [entry.accountId, entry.direction, entry.amount.toString()]),
    ]);
    const existing = this.checkKey(item.idempotencyKey, content);
    if (existing) return existing;
    const entries = item.entries.map((entry) => ({ accountId: entry.accountId!, amount: entry.direction === "debit" ? entry.amount : -entry.amount, phase }));
    return this.post(item.idempotencyKey, content, entries, item.pending ? "pending" : "posted", item.pending?.expiresAt?.getTime() ?? null, index);
  }

  private checkKey(key: string, content: string): ModelResult | null {
    const existing = this.state.byKey.get(key);
    if (!existing) return null;
    return existing.content === content ? { status: "exists", transactionId: existing.id } : { status: "exists_with_different_content", transactionId: existing.id };
  }

  private post(key: string, content: string, entries: ModelEntry[], status: ModelTransaction["status"], expiresAtMs: number | null, index: number): ModelResult {
    const accounts = this.state.accounts;
    const after = new Map<string, BalanceTotals>();
    for (const entry of entries) {
      const totals = after.get(entry.accountId) ?? { ...accounts.get(entry.accountId)!.totals };
      if (entry.phase === "posted") {
        if (entry.amount > 0n) totals.postedDebits += entry.amount;
        else totals.postedCredits -= entry.amount;
      } else if (entry.phase === "pending") {
        if (entry.amount > 0n) totals.pendingDebits += entry.amount;
        else totals.pendingCredits -= entry.amount;
      } else if (entry.amount < 0n) totals.pendingDebits += entry.amount;
      else totals.pendingCredits -= entry.amount;
      after.set(entry.accountId, totals);
    }
    for (const [accountId, totals] of after) {
      const account = accounts.get(accountId)!;
      const debitNormal = account.kind === "asset" || account.kind === "expense";
      const available = debitNormal
        ? totals.postedDebits - totals.postedCredits - totals.pendingCredits
        : totals.postedCredits - totals.postedDebits - totals.pendingDebits;
      if (account.nonNegative && available < 0n) return { status: "insufficient_balance" };
    }
    for (const [accountId, totals] of after) accounts.get(accountId)!.totals = totals;
    const transaction: ModelTransaction = { id: null, key, content, entries, status, expiresAtMs, reversedBy: null };
    this.state.byKey.set(key, transaction);
    this.created[index] = transaction;
    return { status: "created" };
  }
}

function cloneState(state: ModelState): ModelState {
  const byKey = new Map<string, ModelTransaction>();
  const byId = new Map<string, ModelTransaction>();
  for (const [key, transaction] of state.byKey) {
    const copy = { ...transaction };
    byKey.set(key, copy);
    if (copy.id) byId.set(copy.id, copy);
  }
  const accounts = new Map([...state.accounts].map(([id, account]) => [id, { ...account, totals: { ...account.totals } }]));
  return { accounts, byKey, byId };
}
