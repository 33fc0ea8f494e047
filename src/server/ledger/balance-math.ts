import type { LedgerAccountKind, LedgerEntryPhase } from "@/db/schema";
import type { AccountBalance, BalanceTotals } from "./types";

export const zeroTotals = (): BalanceTotals => ({ postedDebits: 0n, postedCredits: 0n, pendingDebits: 0n, pendingCredits: 0n });

export function isDebitNormal(kind: LedgerAccountKind): boolean {
  return kind === "asset" || kind === "expense";
}

/**
 * What one entry does to an account's four totals. `amount` is signed (debit > 0). A `release`
 * entry mirrors the hold it undoes, so it lowers the pending total of the hold's side.
 */
export function entryEffect(amount: bigint, phase: LedgerEntryPhase): BalanceTotals {
  const effect = zeroTotals();
  if (phase === "posted") {
    if (amount > 0n) effect.postedDebits = amount;
    else effect.postedCredits = -amount;
  } else if (phase === "pending") {
    if (amount > 0n) effect.pendingDebits = amount;
    else effect.pendingCredits = -amount;
  } else if (amount < 0n) {
    effect.pendingDebits = amount;
  } else {
    effect.pendingCredits = -amount;
  }
  return effect;
}

export function addTotals(target: BalanceTotals, delta: BalanceTotals, sign: 1n | -1n = 1n): void {
  target.postedDebits += sign * delta.postedDebits;
  target.postedCredits += sign * delta.postedCredits;
  target.pendingDebits += sign * delta.pendingDebits;
  target.pendingCredits += sign * delta.pendingCredits;
}

/** Normal-side view of four totals. */
export function toAccountBalance(
  account: { id: string; kind: LedgerAccountKind; currency: string },
  totals: BalanceTotals,
): AccountBalance {
  const debitNormal = isDebitNormal(account.kind);
  const posted = debitNormal ? totals.postedDebits - totals.postedCredits : totals.postedCredits - totals.postedDebits;
  const pending = debitNormal ? totals.pendingDebits - totals.pendingCredits : totals.pendingCredits - totals.pendingDebits;
  const available = posted - (debitNormal ? totals.pendingCredits : totals.pendingDebits);
  return { accountId: account.id, currency: account.currency, ...totals, posted, pending, available };
}

/** The side a non-negative account may not overdraw: its normal side. */
export function nonNegativeSide(kind: LedgerAccountKind): "debit" | "credit" {
  return isDebitNormal(kind) ? "debit" : "credit";
}

export function availableOnNormalSide(kind: LedgerAccountKind, totals: BalanceTotals): bigint {
  return isDebitNormal(kind)
    ? totals.postedDebits - totals.postedCredits - totals.pendingCredits
    : totals.postedCredits - totals.postedDebits - totals.pendingDebits;
}
