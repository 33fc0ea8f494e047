import type { Db } from "@/db/client";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { LedgerEntryInput, TransferInput } from "@/server/ledger/types";
import { stripeMinorToMicros } from "./money";
import { summarizePayout, type PayoutRecord } from "./payout-record";
import { stripeCashAccountCode } from "./post-stripe-money";

const actor = systemActor("stripe-payouts");

/** USD accounts keep the plain code; another currency gets its own account, as `cash:stripe` does. */
const perCurrency = (code: string, currency: string) => (currency === "usd" ? code : `${code}:${currency}`);
export const payoutAccountCodes = {
  bank: (currency: string) => perCurrency(ledgerAccountCodes.cashBank(), currency),
  fees: (currency: string) => perCurrency(ledgerAccountCodes.expenseStripeFees(), currency),
} as const;

export const payoutLedgerKeys = {
  payout: (payoutId: string) => `stripe:payout:${payoutId}`,
  failed: (payoutId: string) => `stripe:payout:${payoutId}:failed`,
} as const;

/** Payout statuses after which the money left the Stripe balance for good or came back. */
const settledStatuses = new Set(["paid", "failed"]);

/**
 * A payout in the ledger (pure): the gross of what it paid out leaves the Stripe clearing account,
 * the net arrives at the bank and Stripe's fees are expensed — Cr `cash:stripe` gross, Dr
 * `cash:bank` net, Dr `expense:stripe_fees` fees — dated on its arrival. Gross − fees must equal
 * the payout's amount: anything else means its transactions were not all listed.
 */
export function buildPayoutTransfer(record: PayoutRecord): TransferInput {
  const summary = summarizePayout(record);
  if (summary.grossMinor - summary.feeMinor !== record.amountMinor || summary.netMinor !== record.amountMinor) {
    throw new DomainError(
      "precondition",
      "stripe_payout_incomplete",
      `Payout ${record.stripeId} pays ${record.amountMinor} but its ${record.transactions.length} balance transactions net ${summary.netMinor} (gross ${summary.grossMinor}, fees ${summary.feeMinor}); list them again.`,
    );
  }
  const currency = record.currency;
  const signed: Array<[string, bigint]> = [
    [stripeCashAccountCode(currency), -stripeMinorToMicros(summary.grossMinor, currency)],
    [payoutAccountCodes.bank(currency), stripeMinorToMicros(record.amountMinor, currency)],
    [payoutAccountCodes.fees(currency), stripeMinorToMicros(summary.feeMinor, currency)],
  ];
  const entries: LedgerEntryInput[] = signed
    .filter(([, amount]) => amount !== 0n)
    .map(([accountCode, amount]) => ({ accountCode, direction: amount > 0n ? "debit" : "credit", amount: amount > 0n ? amount : -amount, currency }));
  return {
    idempotencyKey: payoutLedgerKeys.payout(record.stripeId),
    actor,
    kind: "payout",
    effectiveAt: record.arrivalDate,
    description: `Stripe payout ${record.stripeId}: ${summary.paymentCount} payments, ${summary.refundCount} refunds`,
    references: { stripeObjectId: record.stripeId },
    entries,
  };
}

/** A failed payout's net comes back to the Stripe balance (Stripe's `payout_failure`); the fees stay spent. */
export function buildPayoutFailureTransfer(record: PayoutRecord, failedAt: Date): TransferInput {
  const amount = stripeMinorToMicros(record.amountMinor, record.currency);
  return {
    idempotencyKey: payoutLedgerKeys.failed(record.stripeId),
    actor,
    kind: "payout",
    effectiveAt: failedAt,
    description: `Stripe payout ${record.stripeId} failed${record.failureCode ? ` (${record.failureCode})` : ""}: returned to the Stripe balance`,
    references: { stripeObjectId: record.stripeId },
    entries: [
      { accountCode: stripeCashAccountCode(record.currency), direction: "debit", amount, currency: record.currency },
      { accountCode: payoutAccountCodes.bank(record.currency), direction: "credit", amount, currency: record.currency },
    ],
  };
}

export type PostPayoutResult = "created" | "exists" | "skipped";

/**
 * Posts a paid (or failed) automatic payout once, whatever the webhook duplicates, replays and
 * races: the keys are the payout's id. A pending payout posts nothing yet. A date in a closed
 * month moves to the next open period (the ledger's rule).
 */
export async function postPayout(db: Db, clock: Clock, record: PayoutRecord, options: { failedAt?: Date } = {}): Promise<PostPayoutResult> {
  if (!settledStatuses.has(record.status) || !record.automatic || record.amountMinor <= 0n) return "skipped";
  const currency = record.currency;
  await ensureAccounts(db, [
    { code: stripeCashAccountCode(currency), kind: "asset", currency },
    { code: payoutAccountCodes.bank(currency), kind: "asset", currency },
    { code: payoutAccountCodes.fees(currency), kind: "expense", currency },
  ]);
  const items: TransferInput[] = [buildPayoutTransfer(record)];
  if (record.status === "failed") items.push(buildPayoutFailureTransfer(record, options.failedAt ?? clock.now()));
  const { results } = await postTransactions(db, items, { clock });
  for (const [index, result] of results.entries()) {
    if (result.status !== "created" && result.status !== "exists") {
      throw new DomainError("conflict", `ledger_${result.status}`, `Posting ${items[index]?.idempotencyKey ?? "payout"} failed: ${result.message}`);
    }
  }
  return results.at(-1)?.status === "created" ? "created" : "exists";
}
