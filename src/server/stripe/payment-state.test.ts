import { describe, expect, it } from "vitest";
import { stateOf } from "./get-invoice-payment-state";
import type { Payment } from "./list-payments";
import { possibleDoubleCharges } from "./possible-double-charges";

function charge(id: string, overrides: Partial<Payment> = {}): Payment {
  return {
    chargeId: id, paymentIntentId: `pi_${id}`, customerId: null, stripeCustomerId: "cus_1", created: new Date("2026-11-05T10:00:00Z"), currency: "usd",
    amountMicros: 49_000_000n, amountMinor: 4900n, amountRefundedMicros: 0n, status: "succeeded", refunded: false, disputed: false, description: null,
    cardBrand: "visa", cardLast4: "4242", cardExpMonth: 12, cardExpYear: 2030, failureCode: null, failureMessage: null, declineCode: null,
    stripeInvoiceId: null, invoice: null, refunds: [], ...overrides,
  };
}

describe("invoice payment state", () => {
  it("follows paid, void and uncollectible, and makes an unpaid invoice with open dunning past due", () => {
    expect(stateOf("draft", null, false)).toBe("draft");
    expect(stateOf("finalized", "open", false)).toBe("open");
    expect(stateOf("finalized", "open", true)).toBe("past_due");
    expect(stateOf("finalized", "paid", true)).toBe("paid");
    expect(stateOf("paid", null, false)).toBe("paid");
    expect(stateOf("uncollectible", "uncollectible", true)).toBe("uncollectible");
    expect(stateOf("void", "void", false)).toBe("void");
  });
});

describe("possibleDoubleCharges", () => {
  it("flags two succeeded charges of the same amount and card within a day, or for the same invoice", () => {
    const later = new Date("2026-11-05T10:20:00Z");
    expect([...possibleDoubleCharges([charge("a"), charge("b", { created: later })])].sort()).toEqual(["a", "b"]);
    const weekLater = new Date("2026-11-12T10:00:00Z");
    expect(possibleDoubleCharges([charge("a", { stripeInvoiceId: "in_1" }), charge("b", { created: weekLater, stripeInvoiceId: "in_1" })]).size).toBe(2);
  });

  it("does not flag a retry after a failure, a refunded charge, another card, another amount or a month apart", () => {
    const later = new Date("2026-11-05T10:20:00Z");
    expect(possibleDoubleCharges([charge("a", { status: "failed" }), charge("b", { created: later })]).size).toBe(0);
    expect(possibleDoubleCharges([charge("a", { amountRefundedMicros: 49_000_000n, refunded: true }), charge("b", { created: later })]).size).toBe(0);
    expect(possibleDoubleCharges([charge("a", { cardLast4: "0005" }), charge("b", { created: later })]).size).toBe(0);
    expect(possibleDoubleCharges([charge("a", { amountMinor: 4800n }), charge("b", { created: later })]).size).toBe(0);
    expect(possibleDoubleCharges([charge("a"), charge("b", { created: new Date("2026-12-05T10:00:00Z") })]).size).toBe(0);
  });
});
