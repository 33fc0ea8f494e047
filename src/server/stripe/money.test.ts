import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { microsToStripeMinor, stripeMinorToMicros, stripeMinorUnitDecimals } from "./money";

describe("Stripe minor units ↔ micro-units", () => {
  it("converts cents, zero-decimal and three-decimal currencies exactly", () => {
    expect(stripeMinorToMicros(2000, "usd")).toBe(20_000_000n);
    expect(stripeMinorToMicros(500, "JPY")).toBe(500_000_000n);
    expect(stripeMinorToMicros(1230, "kwd")).toBe(1_230_000n);
    expect(microsToStripeMinor(20_000_000n, "usd")).toBe(2000n);
    expect(microsToStripeMinor(500_000_000n, "jpy")).toBe(500n);
    expect(stripeMinorUnitDecimals("eur")).toBe(2);
  });

  it("refuses what is not a whole number of minor units instead of rounding", () => {
    expect(() => microsToStripeMinor(1n, "usd")).toThrow(expect.objectContaining({ code: "amount_not_representable_in_stripe" }));
    expect(() => microsToStripeMinor(500_000n, "jpy")).toThrow(expect.objectContaining({ code: "amount_not_representable_in_stripe" }));
    expect(() => stripeMinorToMicros(1.5, "usd")).toThrow(expect.objectContaining({ code: "stripe_amount_invalid" }));
  });

  it("round-trips every minor amount in every kind of currency", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.constantFrom("usd", "eur", "jpy", "krw", "bhd"), (minor, currency) => {
        expect(microsToStripeMinor(stripeMinorToMicros(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});
