import { describe, expect, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { defaultAnomalySettings } from "../settings";
import { detectCreditBurn, detectSpendLimits, type GrantFact } from "./credits-and-limits";
import { detectDuplicateCharges, detectPaymentFailures, type ChargeFact, type DunningFact, type InvoiceFact } from "./payments";

const settings = defaultAnomalySettings();
const money = (micros: bigint, currency: string) => formatMoney(micros, currency);
const at = (iso: string) => new Date(iso);

function charge(overrides: Partial<ChargeFact> & { chargeId: string }): ChargeFact {
  return {
    paymentIntentId: `pi_${overrides.chargeId}`,
    customerId: "c1",
    created: at("2026-06-10T10:00:00Z"),
    currency: "usd",
    amountMinor: 4_900n,
    amountMicros: 49_000_000n,
    amountRefundedMicros: 0n,
    status: "succeeded",
    description: null,
    cardBrand: "visa",
    cardLast4: "4242",
    failureCode: null,
    failureMessage: null,
    declineCode: null,
    stripeInvoiceId: null,
    paymentIntentStatus: "succeeded",
    ...overrides,
  };
}

describe("duplicate charges", () => {
  it("finds the same amount charged twice within the window, the later outside any invoice", () => {
    const [found, ...rest] = detectDuplicateCharges(
      { charges: [charge({ chargeId: "ch_1", stripeInvoiceId: "in_1" }), charge({ chargeId: "ch_2", created: at("2026-06-10T10:07:00Z") })], invoices: [] },
      settings,
      money,
    );
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ kind: "duplicate_charge", subject: "charge:ch_2", impactMicros: 49_000_000n, windowStart: at("2026-06-10T10:00:00Z") });
    expect(found!.title).toBe("Charged twice: $49.00 on visa •••• 4242 7 min after the same amount (the second outside any invoice)");
    expect(found!.evidence).toMatchObject({ reason: "same_amount", first: { chargeId: "ch_1" }, second: { chargeId: "ch_2" } });
  });

  it("does not fire once the second charge is refunded, for charges paying two different invoices, or far apart", () => {
    const twice = [charge({ chargeId: "ch_1" }), charge({ chargeId: "ch_2", created: at("2026-06-10T11:00:00Z"), amountRefundedMicros: 49_000_000n })];
    expect(detectDuplicateCharges({ charges: twice, invoices: [] }, settings, money)).toEqual([]);
    const monthly = [charge({ chargeId: "ch_1", stripeInvoiceId: "in_1" }), charge({ chargeId: "ch_2", stripeInvoiceId: "in_2", created: at("2026-06-10T12:00:00Z") })];
    expect(detectDuplicateCharges({ charges: monthly, invoices: [] }, settings, money)).toEqual([]);
    const apart = [charge({ chargeId: "ch_1" }), charge({ chargeId: "ch_2", created: at("2026-06-20T10:00:00Z") })];
    expect(detectDuplicateCharges({ charges: apart, invoices: [] }, settings, money)).toEqual([]);
    const failed = [charge({ chargeId: "ch_1" }), charge({ chargeId: "ch_2", status: "failed", created: at("2026-06-10T10:05:00Z") })];
    expect(detectDuplicateCharges({ charges: failed, invoices: [] }, settings, money)).toEqual([]);
  });

  it("finds an invoice paid twice, and two invoices for the same period and amount", () => {
    const paidTwice = detectDuplicateCharges({ charges: [charge({ chargeId: "ch_1", stripeInvoiceId: "in_1" }), charge({ chargeId: "ch_2", stripeInvoiceId: "in_1", created: at("2026-06-10T10:01:00Z") })], invoices: [] }, settings, money);
    expect(paidTwice).toHaveLength(1);
    expect(paidTwice[0]!.evidence.reason).toBe("invoice_paid_twice");
    const invoice = (id: string, overrides: Partial<InvoiceFact> = {}): InvoiceFact => ({
      key: `stripe:${id}`,
      id,
      number: id.toUpperCase(),
      customerId: "c1",
      periodStart: at("2026-06-01T00:00:00Z"),
      periodEnd: at("2026-07-01T00:00:00Z"),
      totalMicros: 49_000_000n,
      currency: "usd",
      status: "paid",
      source: "stripe",
      paidPayments: 1,
      ...overrides,
    });
    const duplicates = detectDuplicateCharges({ charges: [], invoices: [invoice("in_a"), invoice("in_b"), invoice("in_c", { totalMicros: 1_000_000n }), invoice("in_d", { status: "void" })] }, settings, money);
    expect(duplicates.map((candidate) => candidate.subject)).toEqual(["invoice:stripe:in_b"]);
    expect(detectDuplicateCharges({ charges: [], invoices: [invoice("in_x", { paidPayments: 2 })] }, settings, money).map((candidate) => candidate.evidence.reason)).toEqual(["invoice_paid_twice"]);
  });
});

describe("payment failures", () => {
  const dunning: DunningFact = {
    caseId: "d1",
    customerId: "c1",
    stripeInvoiceId: "in_9",
    tallyInvoiceId: "inv-uuid",
    tallyInvoiceNumber: "TLY-000009",
    status: "open",
    attemptCount: 2,
    nextRetryAt: at("2026-06-15T10:00:00Z"),
    amountDueMicros: 120_000_000n,
    currency: "usd",
    firstFailedAt: at("2026-06-10T10:00:00Z"),
    graceEndsAt: at("2026-06-17T10:00:00Z"),
    restrictedAt: null,
    hostedInvoiceUrl: null,
  };

  it("reports an open dunning case with its attempts and next retry, once per invoice", () => {
    const attempts = [charge({ chargeId: "ch_f1", status: "failed", stripeInvoiceId: "in_9", failureMessage: "Your card has insufficient funds.", paymentIntentStatus: "requires_payment_method" })];
    const found = detectPaymentFailures({ charges: attempts, dunning: [dunning] }, settings, money);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "payment_failure", subject: "invoice:inv-uuid", impactMicros: 120_000_000n });
    expect(found[0]!.title).toContain("failed 2 times");
    expect(found[0]!.title).toContain("next retry 2026-06-15 10:00 UTC");
    expect(found[0]!.evidence).toMatchObject({ attemptCount: 2, nextRetryAt: "2026-06-15T10:00:00.000Z" });
  });

  it("reports a failed manual charge until its payment intent succeeds", () => {
    const failed = charge({ chargeId: "ch_f", status: "failed", failureMessage: "Your card was declined.", paymentIntentStatus: "requires_payment_method" });
    expect(detectPaymentFailures({ charges: [failed], dunning: [] }, settings, money).map((candidate) => candidate.subject)).toEqual([`payment_intent:${failed.paymentIntentId}`]);
    const recovered = [failed, charge({ chargeId: "ch_ok", paymentIntentId: failed.paymentIntentId, created: at("2026-06-10T11:00:00Z") })];
    expect(detectPaymentFailures({ charges: recovered, dunning: [] }, settings, money)).toEqual([]);
    expect(detectPaymentFailures({ charges: [], dunning: [{ ...dunning, status: "recovered" }] }, settings, money)).toEqual([]);
  });

  it("does not report an invoice's failed charge once the invoice is paid on another payment intent (the hosted page)", () => {
    const failed = charge({ chargeId: "ch_f", status: "failed", failureMessage: "Your card was declined.", paymentIntentStatus: "requires_payment_method", stripeInvoiceId: "in_1" });
    expect(detectPaymentFailures({ charges: [failed], dunning: [] }, settings, money).map((candidate) => candidate.subject)).toEqual(["invoice:in_1"]);
    const paidElsewhere = charge({ chargeId: "ch_ok", stripeInvoiceId: "in_1", created: at("2026-06-11T09:00:00Z") });
    expect(detectPaymentFailures({ charges: [failed, paidElsewhere], dunning: [] }, settings, money)).toEqual([]);
  });
});

describe("credit burn and spend limits", () => {
  const asOf = at("2026-06-17T12:00:00Z");
  const grant = (overrides: Partial<GrantFact> = {}): GrantFact => ({
    grantId: "g1",
    customerId: "c1",
    category: "paid",
    currency: "usd",
    amountMicros: 500_000_000n,
    remainingMicros: 400_000_000n,
    effectiveAt: at("2026-01-01T00:00:00Z"),
    expiresAt: null,
    ...overrides,
  });
  const burn = (recentMicros: bigint, baselineMicros: bigint) => ({ customerId: "c1", currency: "usd", recentMicros, baselineMicros, recentDays: 30, baselineDays: 60, firstBurnAt: at("2026-01-15T00:00:00Z") });

  it("fires when credits burn several times faster than before, with the runway left", () => {
    const found = detectCreditBurn({ grants: [grant()], burns: [burn(900_000_000n, 300_000_000n)], asOf }, settings, money);
    expect(found).toHaveLength(1);
    expect(found[0]!.title).toContain("$30.00/day, 6.0× the usual $5.00/day");
    expect(found[0]!.evidence).toMatchObject({ exhaustedInDays: 13 });
  });

  it("does not fire at the usual pace, nor under the daily minimum", () => {
    expect(detectCreditBurn({ grants: [grant()], burns: [burn(320_000_000n, 600_000_000n)], asOf }, settings, money)).toEqual([]);
    expect(detectCreditBurn({ grants: [grant()], burns: [burn(90_000_000n, 3_000_000n)], asOf }, settings, money)).toEqual([]);
  });

  it("warns about a grant expiring unused within a week, not a small or distant one", () => {
    const soon = grant({ grantId: "g2", expiresAt: at("2026-06-20T00:00:00Z"), remainingMicros: 80_000_000n, category: "promotional" });
    const found = detectCreditBurn({ grants: [soon, grant({ grantId: "g3", expiresAt: at("2026-06-20T00:00:00Z"), remainingMicros: 5_000_000n }), grant({ grantId: "g4", expiresAt: at("2026-08-01T00:00:00Z") })], burns: [], asOf }, settings, money);
    expect(found.map((candidate) => candidate.subject)).toEqual(["grant:g2"]);
    expect(found[0]!.title).toBe("$80.00 of a promotional credit ($500.00) expires unused in 3 days (2026-06-20)");
  });

  it("reports a crossed spend limit with the checks refused since (once: the refusals are its evidence), and repeated refusals of a hard limit", () => {
    const found = detectSpendLimits(
      {
        crossings: [{ customerId: "c1", periodStart: at("2026-06-01T00:00:00Z"), periodEnd: at("2026-07-01T00:00:00Z"), limitMicros: 100_000_000n, usedMicros: 100_400_000n, currency: "usd", crossedAt: at("2026-06-16T09:30:00Z"), thresholdPercent: 100 }],
        denials: [
          { customerId: "c1", day: "2026-06-17", featureKey: "agent_tokens", reason: "spend_limit_reached", count: 35, firstHour: at("2026-06-17T00:00:00Z"), lastHour: at("2026-06-17T11:00:00Z") },
          { customerId: "c2", day: "2026-06-17", featureKey: "code_reviews", reason: "allowance_exhausted", count: 3, firstHour: at("2026-06-17T08:00:00Z"), lastHour: at("2026-06-17T08:00:00Z") },
        ],
      },
      settings,
      money,
    );
    expect(found.map((candidate) => [candidate.customerId, candidate.subject])).toEqual([["c1", "spend_limit"]]);
    expect(found[0]!.title).toBe("Reached the spend limit of $100.00 on 2026-06-16 09:30 UTC; 35 checks refused since");
    expect(found[0]!.severityFloor).toBe("high");
    expect(found[0]!.evidence).toMatchObject({ refusedChecks: [{ featureKey: "agent_tokens", reason: "spend_limit_reached", count: 35 }] });
    // Without a crossing (a zero limit warns at no threshold) the refusals are their own anomaly.
    const refusedOnly = detectSpendLimits({ crossings: [], denials: [{ customerId: "c3", day: "2026-06-17", featureKey: "agent_tokens", reason: "spend_limit_reached", count: 20, firstHour: at("2026-06-17T00:00:00Z"), lastHour: at("2026-06-17T01:00:00Z") }] }, settings, money);
    expect(refusedOnly.map((candidate) => [candidate.customerId, candidate.subject])).toEqual([["c3", "feature:agent_tokens:spend_limit_reached"]]);
  });
});
