import type { Payment } from "./list-payments";

const dayMs = 86_400_000;

/**
 * Charges that look like one payment taken twice: succeeded, not fully refunded, same amount and
 * card, and either paying the same invoice or made within a day of each other.
 */
export function possibleDoubleCharges(payments: readonly Payment[]): Set<string> {
  const kept = payments.filter((payment) => payment.status === "succeeded" && payment.amountRefundedMicros < payment.amountMicros);
  const flagged = new Set<string>();
  for (const [index, payment] of kept.entries()) {
    for (const other of kept.slice(index + 1)) {
      const sameCard = payment.cardLast4 === other.cardLast4 && payment.cardBrand === other.cardBrand;
      const sameInvoice = payment.stripeInvoiceId !== null && payment.stripeInvoiceId === other.stripeInvoiceId;
      const close = Math.abs(payment.created.getTime() - other.created.getTime()) < dayMs;
      if (payment.amountMinor === other.amountMinor && payment.currency === other.currency && sameCard && (sameInvoice || close)) {
        flagged.add(payment.chargeId);
        flagged.add(other.chargeId);
      }
    }
  }
  return flagged;
}
