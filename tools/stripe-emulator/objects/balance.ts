import type Stripe from "stripe";
import { roundHalfAwayFromZero, toSafeNumber } from "../money";

/**
 * Stripe's standard card pricing in the US: 2.9% of the amount plus 30 minor units, rounded once,
 * half away from zero. The emulator charges it on every succeeded charge, whatever the currency
 * (the emulator's simplification: Stripe prices by country and method). Refunds cost nothing and
 * give the fee back not at all, as Stripe does today.
 */
export const cardFee = { basisPointsNumerator: 29n, basisPointsDenominator: 1000n, fixedMinor: 30n } as const;

export function cardFeeMinor(amountMinor: number): number {
  const percentage = roundHalfAwayFromZero(BigInt(amountMinor) * cardFee.basisPointsNumerator, cardFee.basisPointsDenominator);
  return toSafeNumber(percentage + cardFee.fixedMinor);
}

export interface BalanceTransactionInput {
  id: string;
  created: number;
  availableOn: number;
  amount: number;
  fee: number;
  currency: string;
  type: "charge" | "refund" | "payout";
  source: string;
  description: string | null;
}

const reportingCategory: Record<BalanceTransactionInput["type"], string> = { charge: "charge", refund: "refund", payout: "payout" };

export function buildBalanceTransaction(input: BalanceTransactionInput): Stripe.BalanceTransaction {
  return {
    id: input.id,
    object: "balance_transaction",
    amount: input.amount,
    available_on: input.availableOn,
    balance_type: "payments",
    created: input.created,
    currency: input.currency,
    description: input.description,
    exchange_rate: null,
    fee: input.fee,
    fee_details: input.fee === 0 ? [] : [{ amount: input.fee, application: null, currency: input.currency, description: "Stripe processing fees", type: "stripe_fee" }],
    net: input.amount - input.fee,
    reporting_category: reportingCategory[input.type],
    source: input.source,
    status: input.availableOn <= input.created ? "available" : "pending",
    type: input.type,
  };
}

export function buildPayout(input: { id: string; created: number; arrivalDate: number; amount: number; currency: string; balanceTransaction: string }): Stripe.Payout {
  return {
    id: input.id,
    object: "payout",
    amount: input.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: input.arrivalDate,
    automatic: true,
    balance_transaction: input.balanceTransaction,
    created: input.created,
    currency: input.currency,
    description: "STRIPE PAYOUT",
    destination: "ba_emulator_bank_account",
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    method: "standard",
    original_payout: null,
    payout_method: null,
    reconciliation_status: "completed",
    reversed_by: null,
    source_type: "card",
    statement_descriptor: null,
    status: "pending",
    trace_id: null,
    type: "bank_account",
  };
}
