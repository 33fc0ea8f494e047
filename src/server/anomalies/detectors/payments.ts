import type { AnomalyCandidate } from "../candidate";
import type { AnomalySettings } from "../settings";

/**
 * Duplicate charges and payment failures, pure, over the Stripe mirror (charges, invoice payments,
 * Stripe invoices), Tally's invoices and dunning cases.
 */

export type ChargeFact = {
  chargeId: string;
  paymentIntentId: string | null;
  customerId: string;
  created: Date;
  currency: string;
  amountMinor: bigint;
  amountMicros: bigint;
  amountRefundedMicros: bigint;
  status: string;
  description: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  declineCode: string | null;
  /** The Stripe invoice this charge paid, if any. */
  stripeInvoiceId: string | null;
  /** The payment intent's own status (a failed charge whose intent later succeeded is recovered). */
  paymentIntentStatus: string | null;
};

export type InvoiceFact = {
  /** `tally:<uuid>` or `stripe:<in_…>` */
  key: string;
  id: string;
  number: string | null;
  customerId: string;
  periodStart: Date | null;
  periodEnd: Date | null;
  totalMicros: bigint;
  currency: string;
  status: string;
  source: "tally" | "stripe";
  /** Stripe invoices: how many of its invoice payments are `paid`. */
  paidPayments?: number;
  /** Tally invoices: the Stripe invoice it was pushed to (so the two are not each other's duplicate). */
  linkedId?: string | null;
};

export type DunningFact = {
  caseId: string;
  customerId: string;
  stripeInvoiceId: string;
  tallyInvoiceId: string | null;
  tallyInvoiceNumber: string | null;
  status: string;
  attemptCount: number;
  nextRetryAt: Date | null;
  amountDueMicros: bigint;
  currency: string;
  firstFailedAt: Date;
  graceEndsAt: Date;
  restrictedAt: Date | null;
  hostedInvoiceUrl: string | null;
};

const hourMs = 3_600_000;

function chargeEvidence(charge: ChargeFact) {
  return {
    chargeId: charge.chargeId,
    paymentIntentId: charge.paymentIntentId,
    created: charge.created.toISOString(),
    amountMicros: charge.amountMicros.toString(),
    amountRefundedMicros: charge.amountRefundedMicros.toString(),
    currency: charge.currency,
    status: charge.status,
    card: charge.cardBrand ? `${charge.cardBrand} ${charge.cardLast4 ?? ""}`.trim() : null,
    description: charge.description,
    stripeInvoiceId: charge.stripeInvoiceId,
  };
}

/**
 * Two succeeded charges of one customer for the same amount within `duplicate_charge.window_hours`
 * where the later one is not refunded — unless each paid a different invoice (two months' bills);
 * an invoice with two paid payments (or two charges that paid it); two invoices of one customer for
 * the same period and amount, neither void.
 */
export function detectDuplicateCharges(input: { charges: readonly ChargeFact[]; invoices: readonly InvoiceFact[] }, settings: AnomalySettings, describeMoney: (micros: bigint, currency: string) => string): AnomalyCandidate[] {
  const candidates: AnomalyCandidate[] = [];
  const windowMs = settings["duplicate_charge.window_hours"] * hourMs;
  const byCustomer = new Map<string, ChargeFact[]>();
  for (const charge of input.charges) {
    if (charge.status !== "succeeded") continue;
    const list = byCustomer.get(charge.customerId) ?? [];
    list.push(charge);
    byCustomer.set(charge.customerId, list);
  }
  const paidTwice = new Set<string>();
  for (const charges of byCustomer.values()) {
    charges.sort((a, b) => a.created.getTime() - b.created.getTime() || a.chargeId.localeCompare(b.chargeId));
    const claimed = new Set<string>();
    for (let later = 1; later < charges.length; later++) {
      const second = charges[later]!;
      for (let earlier = later - 1; earlier >= 0; earlier--) {
        const first = charges[earlier]!;
        if (second.created.getTime() - first.created.getTime() > windowMs) break;
        if (claimed.has(first.chargeId) || first.currency !== second.currency || first.amountMinor !== second.amountMinor) continue;
        const sameInvoice = first.stripeInvoiceId !== null && first.stripeInvoiceId === second.stripeInvoiceId;
        if (!sameInvoice && first.stripeInvoiceId !== null && second.stripeInvoiceId !== null) continue;
        const net = second.amountMicros - second.amountRefundedMicros;
        claimed.add(first.chargeId);
        if (net <= 0n) break;
        if (sameInvoice) paidTwice.add(second.stripeInvoiceId!);
        candidates.push({
          kind: "duplicate_charge",
          customerId: second.customerId,
          subject: `charge:${second.chargeId}`,
          windowStart: first.created,
          windowEnd: second.created,
          title: sameInvoice
            ? `Invoice ${second.stripeInvoiceId} paid twice: two charges of ${describeMoney(second.amountMicros, second.currency)} (${minutesApart(first, second)})`
            : `Charged twice: ${describeMoney(second.amountMicros, second.currency)} on ${describeCard(second)} ${minutesApart(first, second)} after the same amount${second.stripeInvoiceId === null ? " (the second outside any invoice)" : ""}`,
          observed: null,
          expected: null,
          impactMicros: net,
          currency: second.currency,
          severityFloor: "high",
          evidence: { reason: sameInvoice ? "invoice_paid_twice" : "same_amount", first: chargeEvidence(first), second: chargeEvidence(second), refundableMicros: net.toString() },
        });
        break;
      }
    }
  }
  const invoicesByCustomer = new Map<string, InvoiceFact[]>();
  for (const invoice of input.invoices) {
    if (invoice.status === "void" || invoice.status === "draft" || invoice.status === "deleted") continue;
    if (invoice.source === "stripe" && (invoice.paidPayments ?? 0) >= 2 && !paidTwice.has(invoice.id)) {
      candidates.push({
        kind: "duplicate_charge",
        customerId: invoice.customerId,
        subject: `invoice:${invoice.key}`,
        windowStart: invoice.periodStart ?? new Date(0),
        windowEnd: invoice.periodEnd ?? invoice.periodStart ?? new Date(0),
        title: `Invoice ${invoice.number ?? invoice.id} paid ${invoice.paidPayments} times`,
        observed: null,
        expected: null,
        impactMicros: invoice.totalMicros * BigInt((invoice.paidPayments ?? 1) - 1),
        currency: invoice.currency,
        severityFloor: "high",
        evidence: { reason: "invoice_paid_twice", invoice: invoiceEvidence(invoice), paidPayments: invoice.paidPayments },
      });
    }
    const list = invoicesByCustomer.get(invoice.customerId) ?? [];
    list.push(invoice);
    invoicesByCustomer.set(invoice.customerId, list);
  }
  for (const invoices of invoicesByCustomer.values()) {
    for (const source of ["tally", "stripe"] as const) {
      const seen = new Map<string, InvoiceFact>();
      for (const invoice of invoices.filter((each) => each.source === source && each.periodStart !== null && each.totalMicros > 0n).sort((a, b) => a.key.localeCompare(b.key))) {
        const key = `${invoice.periodStart!.getTime()}:${invoice.periodEnd?.getTime()}:${invoice.totalMicros}:${invoice.currency}`;
        const first = seen.get(key);
        if (!first) {
          seen.set(key, invoice);
          continue;
        }
        candidates.push({
          kind: "duplicate_charge",
          customerId: invoice.customerId,
          subject: `invoice:${invoice.key}`,
          windowStart: invoice.periodStart!,
          windowEnd: invoice.periodEnd ?? invoice.periodStart!,
          title: `Two ${source === "tally" ? "Tally" : "Stripe"} invoices for the same period and amount: ${first.number ?? first.id} and ${invoice.number ?? invoice.id} (${describeMoney(invoice.totalMicros, invoice.currency)})`,
          observed: null,
          expected: null,
          impactMicros: invoice.totalMicros,
          currency: invoice.currency,
          severityFloor: "high",
          evidence: { reason: "duplicate_invoice", first: invoiceEvidence(first), second: invoiceEvidence(invoice) },
        });
      }
    }
  }
  return candidates;
}

function invoiceEvidence(invoice: InvoiceFact) {
  return {
    source: invoice.source,
    id: invoice.id,
    number: invoice.number,
    periodStart: invoice.periodStart?.toISOString() ?? null,
    periodEnd: invoice.periodEnd?.toISOString() ?? null,
    totalMicros: invoice.totalMicros.toString(),
    status: invoice.status,
  };
}

function describeCard(charge: ChargeFact): string {
  return charge.cardBrand ? `${charge.cardBrand} •••• ${charge.cardLast4 ?? "????"}` : "the same payment method";
}

function minutesApart(first: ChargeFact, second: ChargeFact): string {
  const minutes = Math.round((second.created.getTime() - first.created.getTime()) / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/**
 * Failed payments: every open dunning case (invoice, attempts, next retry), and failed charges whose
 * payment intent has not succeeded since (outside dunning: a manual charge that failed). One
 * anomaly per invoice or payment intent; it clears when the payment goes through or the case closes.
 */
export function detectPaymentFailures(input: { charges: readonly ChargeFact[]; dunning: readonly DunningFact[] }, settings: AnomalySettings, describeMoney: (micros: bigint, currency: string) => string): AnomalyCandidate[] {
  const candidates: AnomalyCandidate[] = [];
  const attemptsByInvoice = new Map<string, ChargeFact[]>();
  const attemptsByIntent = new Map<string, ChargeFact[]>();
  for (const charge of input.charges) {
    if (charge.stripeInvoiceId) attemptsByInvoice.set(charge.stripeInvoiceId, [...(attemptsByInvoice.get(charge.stripeInvoiceId) ?? []), charge]);
    if (charge.paymentIntentId) attemptsByIntent.set(charge.paymentIntentId, [...(attemptsByIntent.get(charge.paymentIntentId) ?? []), charge]);
  }
  const covered = new Set<string>();
  // An invoice paid since (a retry on another payment intent, or the hosted page) is no failure any more.
  for (const charge of input.charges) if (charge.status === "succeeded" && charge.stripeInvoiceId) covered.add(charge.stripeInvoiceId);
  for (const case_ of input.dunning) {
    covered.add(case_.stripeInvoiceId);
    if (case_.status !== "open" || case_.amountDueMicros < settings.micros["payment_failure.min_amount_micros"]) continue;
    const attempts = (attemptsByInvoice.get(case_.stripeInvoiceId) ?? []).sort((a, b) => a.created.getTime() - b.created.getTime());
    const lastFailure = [...attempts].reverse().find((charge) => charge.status === "failed");
    candidates.push({
      kind: "payment_failure",
      customerId: case_.customerId,
      subject: `invoice:${case_.tallyInvoiceId ?? case_.stripeInvoiceId}`,
      windowStart: case_.firstFailedAt,
      windowEnd: case_.nextRetryAt ?? case_.graceEndsAt,
      title: `Payment of ${case_.tallyInvoiceNumber ?? case_.stripeInvoiceId} failed ${case_.attemptCount} time${case_.attemptCount === 1 ? "" : "s"} (${describeMoney(case_.amountDueMicros, case_.currency)})${lastFailure?.failureMessage ? `: ${lastFailure.failureMessage}` : ""}${case_.nextRetryAt ? `; next retry ${case_.nextRetryAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "; no retry scheduled"}${case_.restrictedAt ? "; usage restricted" : ""}`,
      observed: null,
      expected: null,
      impactMicros: case_.amountDueMicros,
      currency: case_.currency,
      severityFloor: case_.restrictedAt ? "high" : "medium",
      evidence: {
        dunningCaseId: case_.caseId,
        stripeInvoiceId: case_.stripeInvoiceId,
        invoiceId: case_.tallyInvoiceId,
        invoiceNumber: case_.tallyInvoiceNumber,
        attemptCount: case_.attemptCount,
        nextRetryAt: case_.nextRetryAt?.toISOString() ?? null,
        graceEndsAt: case_.graceEndsAt.toISOString(),
        restrictedAt: case_.restrictedAt?.toISOString() ?? null,
        hostedInvoiceUrl: case_.hostedInvoiceUrl,
        attempts: attempts.map((charge) => ({ ...chargeEvidence(charge), failureCode: charge.failureCode, failureMessage: charge.failureMessage, declineCode: charge.declineCode })),
      },
    });
  }
  for (const [intentId, attempts] of attemptsByIntent) {
    const sorted = [...attempts].sort((a, b) => a.created.getTime() - b.created.getTime());
    const latest = sorted[sorted.length - 1]!;
    const failures = sorted.filter((charge) => charge.status === "failed");
    if (failures.length === 0 || latest.status !== "failed") continue;
    if (latest.paymentIntentStatus === "succeeded" || latest.paymentIntentStatus === "canceled") continue;
    if (latest.stripeInvoiceId !== null && covered.has(latest.stripeInvoiceId)) continue;
    if (latest.amountMicros < settings.micros["payment_failure.min_amount_micros"]) continue;
    candidates.push({
      kind: "payment_failure",
      customerId: latest.customerId,
      subject: latest.stripeInvoiceId ? `invoice:${latest.stripeInvoiceId}` : `payment_intent:${intentId}`,
      windowStart: failures[0]!.created,
      windowEnd: latest.created,
      title: `Payment of ${describeMoney(latest.amountMicros, latest.currency)} failed${failures.length > 1 ? ` ${failures.length} times` : ""} on ${describeCard(latest)}: ${latest.failureMessage ?? latest.failureCode ?? "declined"}`,
      observed: null,
      expected: null,
      impactMicros: latest.amountMicros,
      currency: latest.currency,
      severityFloor: "medium",
      evidence: {
        paymentIntentId: intentId,
        stripeInvoiceId: latest.stripeInvoiceId,
        attemptCount: failures.length,
        nextRetryAt: null,
        attempts: sorted.map((charge) => ({ ...chargeEvidence(charge), failureCode: charge.failureCode, failureMessage: charge.failureMessage, declineCode: charge.declineCode })),
      },
    });
  }
  return candidates;
}
