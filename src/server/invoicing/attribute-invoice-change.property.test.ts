import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attributeInvoiceChange, type BillLine } from "./attribute-invoice-change";

const quantity = fc
  .tuple(fc.bigInt({ min: 0n, max: 10_000_000_000n }), fc.integer({ min: 0, max: 6 }))
  .map(([digits, scale]) => {
    if (scale === 0) return digits.toString();
    const text = digits.toString().padStart(scale + 1, "0");
    return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  });

const usageLine: fc.Arbitrary<BillLine> = fc.record({
  kind: fc.constantFrom("usage" as const, "late_usage" as const),
  description: fc.constant("Tokens"),
  meterKey: fc.constantFrom("tokens", "requests"),
  dimensions: fc.constantFrom<Record<string, string>>({}, { model: "opus" }, { model: "sonnet" }),
  quantity,
  amountMicros: fc.bigInt({ min: 0n, max: 10_000_000_000_000n }),
});
const baseFee: fc.Arbitrary<BillLine> = fc.record({
  kind: fc.constant("base_fee" as const),
  description: fc.constant("Base fee"),
  meterKey: fc.constant(null),
  dimensions: fc.constant({}),
  quantity: fc.integer({ min: 0, max: 500 }).map(String),
  amountMicros: fc.bigInt({ min: 0n, max: 1_000_000_000_000n }),
});
const adjustment: fc.Arbitrary<BillLine> = fc.record({
  kind: fc.constantFrom("discount" as const, "credit" as const, "proration" as const),
  description: fc.constant("Adjustment"),
  meterKey: fc.constant(null),
  dimensions: fc.constant({}),
  quantity: fc.constant(null),
  amountMicros: fc.bigInt({ min: -1_000_000_000_000n, max: 0n }),
});
const invoice = fc.array(fc.oneof(usageLine, baseFee, adjustment), { maxLength: 12 });
const total = (lines: readonly BillLine[]) => lines.reduce((sum, line) => sum + line.amountMicros, 0n);

describe("attributeInvoiceChange (property)", () => {
  it("splits every line's change exactly into quantity, price and other effects, and the rows add up to the invoices' difference", () => {
    fc.assert(
      fc.property(invoice, invoice, (previous, current) => {
        const attribution = attributeInvoiceChange(previous, current);
        for (const row of attribution.rows) {
          expect(row.quantityEffectMicros + row.priceEffectMicros + row.otherEffectMicros).toBe(row.deltaMicros);
          expect(row.currentMicros - row.previousMicros).toBe(row.deltaMicros);
        }
        expect(attribution.previousMicros).toBe(total(previous));
        expect(attribution.currentMicros).toBe(total(current));
        expect(attribution.deltaMicros).toBe(total(current) - total(previous));
        expect(attribution.quantityEffectMicros + attribution.priceEffectMicros + attribution.otherEffectMicros).toBe(attribution.deltaMicros);
      }),
      { numRuns: 500 },
    );
  });

  it("puts a usage change at an unchanged unit price all in the quantity effect", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), (q0, q1, microsPerUnit) => {
        const line = (units: number): BillLine => ({ kind: "usage", description: "Tokens", meterKey: "tokens", dimensions: {}, quantity: String(units), amountMicros: BigInt(units) * BigInt(microsPerUnit) });
        const attribution = attributeInvoiceChange([line(q0)], [line(q1)]);
        expect(attribution.priceEffectMicros).toBe(0n);
        expect(attribution.quantityEffectMicros).toBe(BigInt(q1 - q0) * BigInt(microsPerUnit));
      }),
      { numRuns: 300 },
    );
  });

  it("puts a price change at unchanged usage all in the price effect", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (units, p0, p1) => {
        const line = (microsPerUnit: number): BillLine => ({ kind: "usage", description: "Tokens", meterKey: "tokens", dimensions: {}, quantity: String(units), amountMicros: BigInt(units) * BigInt(microsPerUnit) });
        const attribution = attributeInvoiceChange([line(p0)], [line(p1)]);
        expect(attribution.quantityEffectMicros).toBe(0n);
        expect(attribution.priceEffectMicros).toBe(BigInt(units) * BigInt(p1 - p0));
      }),
      { numRuns: 300 },
    );
  });
});
