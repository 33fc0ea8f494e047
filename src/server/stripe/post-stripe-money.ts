import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { TransferInput } from "@/server/ledger/types";
import { stripeMinorToMicros } from "./money";

const actor = systemActor("stripe-webhooks");

/** `cash:stripe` holds USD; Stripe balances in other currencies get their own cash account. */
export function stripeCashAccountCode(currency: string): string {
  return currency === "usd" ? ledgerAccountCodes.cashStripe() : `${ledgerAccountCodes.cashStripe()}:${currency}`;
}

export const stripeLedgerKeys = {
  invoicePaid: (invoiceId: string) => `stripe:invoice:${invoiceId}:paid`,
  refund: (refundId: string) => `stripe:refund:${refundId}`,
  chargePaid: (chargeId: string) => `stripe:charge:${chargeId}:paid`,
} as const;

type Posted = "created" | "exists" | "skipped";

/**
 * A paid invoice: Dr `cash:stripe` / Cr `customer:<id>:receivable`, once per invoice whatever
 * the webhook duplicates (key `stripe:invoice:<in_id>:paid`). The receivable itself is posted
 * when an invoice is finalized (billing-cycle work); until then the receivable may go negative.
 */
export async function postInvoicePayment(db: Db, clock: Clock, invoice: Stripe.Invoice, customerId: string): Promise<Posted> {
  if (invoice.status !== "paid" || invoice.amount_paid <= 0) return "skipped";
  const amount = stripeMinorToMicros(invoice.amount_paid, invoice.currency);
  const paidAt = invoice.status_transitions?.paid_at;
  return postTransfer(db, clock, customerId, invoice.currency, {
    idempotencyKey: stripeLedgerKeys.invoicePaid(invoice.id),
    actor,
    kind: "payment",
    direction: "payment",
    amount,
    effectiveAt: paidAt ? new Date(paidAt * 1000) : undefined,
    stripeObjectId: invoice.id,
    description: `Stripe payment of invoice ${invoice.number ?? invoice.id}`,
  });
}

/**
 * A charge that paid no invoice (a payment intent made outside an invoice): the cash arrived all
 * the same, Dr `cash:stripe` / Cr `customer:<id>:receivable` (the customer holds a credit until it
 * is refunded or applied), once per charge (key `stripe:charge:<ch_id>:paid`).
 */
export async function postChargePayment(db: Db, clock: Clock, charge: Stripe.Charge, customerId: string): Promise<Posted> {
  if (charge.status !== "succeeded" || !charge.captured || charge.amount_captured <= 0) return "skipped";
  return postTransfer(db, clock, customerId, charge.currency, {
    idempotencyKey: stripeLedgerKeys.chargePaid(charge.id),
    actor,
    kind: "payment",
    direction: "payment",
    amount: stripeMinorToMicros(charge.amount_captured, charge.currency),
    effectiveAt: new Date(charge.created * 1000),
    stripeObjectId: charge.id,
    description: `Stripe payment ${charge.id} outside an invoice${charge.description ? `: ${charge.description}` : ""}`,
  });
}

/**
 * A refund gives cash back: Dr `customer:<id>:receivable` / Cr `cash:stripe` (key
 * `stripe:refund:<re_id>`). Reinstating the receivable (rather than debiting revenue) keeps the
 * refund next to the payment it undoes; whether it becomes a credit note or a revenue adjustment
 * is the invoicing domain's decision, made with its own transaction against the receivable.
 */
export async function postRefund(db: Db, clock: Clock, refund: Stripe.Refund, customerId: string): Promise<Posted> {
  if (refund.status !== "succeeded" || refund.amount <= 0) return "skipped";
  return postTransfer(db, clock, customerId, refund.currency, {
    idempotencyKey: stripeLedgerKeys.refund(refund.id),
    actor,
    kind: "refund",
    direction: "refund",
    amount: stripeMinorToMicros(refund.amount, refund.currency),
    effectiveAt: new Date(refund.created * 1000),
    stripeObjectId: refund.id,
    description: `Stripe refund ${refund.id}`,
  });
}

type TransferSpec = Pick<TransferInput, "idempotencyKey" | "actor" | "kind" | "effectiveAt" | "description"> & {
  direction: "payment" | "refund";
  amount: bigint;
  stripeObjectId: string;
};

async function postTransfer(db: Db, clock: Clock, customerId: string, currency: string, spec: TransferSpec): Promise<Posted> {
  const cashCode = stripeCashAccountCode(currency);
  const receivableCode = ledgerAccountCodes.customerReceivable(customerId);
  await ensureAccounts(db, [
    { code: cashCode, kind: "asset", currency },
    { code: receivableCode, kind: "asset", currency, customerId },
  ]);
  const [debit, credit] = spec.direction === "payment" ? [cashCode, receivableCode] : [receivableCode, cashCode];
  const { results } = await postTransactions(
    db,
    [
      {
        idempotencyKey: spec.idempotencyKey,
        actor: spec.actor,
        kind: spec.kind,
        effectiveAt: spec.effectiveAt,
        description: spec.description,
        references: { customerId, stripeObjectId: spec.stripeObjectId },
        entries: [
          { accountCode: debit, direction: "debit", amount: spec.amount, currency },
          { accountCode: credit, direction: "credit", amount: spec.amount, currency },
        ],
      },
    ],
    { clock },
  );
  const result = results[0];
  if (result?.status === "created" || result?.status === "exists") return result.status;
  throw new DomainError("conflict", `ledger_${result?.status ?? "no_result"}`, `Posting ${spec.idempotencyKey} failed: ${result && "message" in result ? result.message : "no result"}`);
}
