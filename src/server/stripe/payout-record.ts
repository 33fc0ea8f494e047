import type Stripe from "stripe";
import { DomainError } from "@/server/errors";

/**
 * A Stripe payout as Tally keeps it: the payout and the balance transactions it paid out (the
 * payout's own `payout` transaction left out), amounts in Stripe minor units. Built from the API
 * (`payoutRecordFromStripe`) or by the demo seed; the mirror and the ledger posting read only this.
 */
export type PayoutBalanceTransaction = {
  stripeId: string;
  type: string;
  reportingCategory: string;
  sourceId: string | null;
  amountMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  currency: string;
  status: string;
  availableOn: Date;
  created: Date;
};

export type PayoutRecord = {
  stripeId: string;
  livemode: boolean;
  created: Date;
  /** What reaches the bank, minor units. */
  amountMinor: bigint;
  currency: string;
  status: string;
  arrivalDate: Date;
  automatic: boolean;
  method: string;
  failureCode: string | null;
  failureMessage: string | null;
  transactions: PayoutBalanceTransaction[];
};

export type PayoutSummary = { grossMinor: bigint; feeMinor: bigint; netMinor: bigint; paymentCount: number; refundCount: number };

const paymentTypes = new Set(["charge", "payment"]);
const refundTypes = new Set(["refund", "payment_refund"]);

export function summarizePayout(record: Pick<PayoutRecord, "transactions">): PayoutSummary {
  const summary: PayoutSummary = { grossMinor: 0n, feeMinor: 0n, netMinor: 0n, paymentCount: 0, refundCount: 0 };
  for (const transaction of record.transactions) {
    summary.grossMinor += transaction.amountMinor;
    summary.feeMinor += transaction.feeMinor;
    summary.netMinor += transaction.netMinor;
    if (paymentTypes.has(transaction.type)) summary.paymentCount += 1;
    else if (refundTypes.has(transaction.type)) summary.refundCount += 1;
  }
  return summary;
}

const fromUnix = (seconds: number) => new Date(seconds * 1000);
const idOf = (value: string | { id: string } | null): string | null => (value === null ? null : typeof value === "string" ? value : value.id);

/** The API's payout and the list `GET /v1/balance_transactions?payout=` answered for it. */
export function payoutRecordFromStripe(payout: Stripe.Payout, listed: readonly Stripe.BalanceTransaction[]): PayoutRecord {
  const ownId = idOf(payout.balance_transaction as string | { id: string } | null);
  const transactions = listed
    .filter((transaction) => transaction.type !== "payout" && transaction.id !== ownId)
    .map((transaction) => {
      if (transaction.currency !== payout.currency) {
        throw new DomainError("invalid", "stripe_payout_currency_mixed", `Balance transaction ${transaction.id} is in ${transaction.currency}, payout ${payout.id} in ${payout.currency}.`);
      }
      return {
        stripeId: transaction.id,
        type: transaction.type,
        reportingCategory: transaction.reporting_category,
        sourceId: idOf(transaction.source as string | { id: string } | null),
        amountMinor: BigInt(transaction.amount),
        feeMinor: BigInt(transaction.fee),
        netMinor: BigInt(transaction.net),
        currency: transaction.currency,
        status: transaction.status,
        availableOn: fromUnix(transaction.available_on),
        created: fromUnix(transaction.created),
      };
    });
  return {
    stripeId: payout.id,
    livemode: payout.livemode,
    created: fromUnix(payout.created),
    amountMinor: BigInt(payout.amount),
    currency: payout.currency,
    status: payout.status,
    arrivalDate: fromUnix(payout.arrival_date),
    automatic: payout.automatic,
    method: payout.method,
    failureCode: payout.failure_code,
    failureMessage: payout.failure_message,
    transactions,
  };
}
