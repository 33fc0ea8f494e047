import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalString, graduatedArb, quantityArb, unitPriceArb, volumeArb } from "./arbitraries.test-helper";
import type { GraduatedPrice, PackagePrice, Price, PriceTier, VolumePrice } from "./price-schema";
import { rate, rateIncrement } from "./rate";
import * as R from "./reference.test-helper";
import { validatePrice } from "./validate-price";

const runs = { numRuns: 300 };

const refTiers = (tiers: PriceTier[]): R.RefTier[] =>
  tiers.map((tier) => ({
    upTo: tier.upTo === null ? null : R.rational(tier.upTo),
    unitPrice: R.rational(tier.unitPrice),
    flatMicros: BigInt(tier.flatAmountMicros ?? "0"),
  }));

const billableOf = (quantity: string, included: string) => R.max(R.sub(R.rational(quantity), R.rational(included)), R.zero);

/** Exact micro-units of a result, summed from its lines' unrounded amounts. */
const exactMicros = (lines: { amountExactMicros: string }[]) =>
  lines.reduce((sum, line) => R.add(sum, R.rational(line.amountExactMicros)), R.zero);

const sumLines = (lines: { amountMicros: bigint }[]) => lines.reduce((sum, line) => sum + line.amountMicros, 0n);

describe("graduated prices (properties)", () => {
  it("are valid as generated", () => {
    fc.assert(
      fc.property(graduatedArb, volumeArb, (graduated, volume) => {
        expect(validatePrice(graduated)).toEqual([]);
        expect(validatePrice(volume)).toEqual([]);
      }),
      runs,
    );
  });

  it("equal an independent exact reference, each tier line rounded once half-even", () => {
    fc.assert(
      fc.property(graduatedArb, quantityArb, (price, quantity) => {
        const result = rate(price, quantity);
        const parts = R.graduatedParts(refTiers(price.tiers), billableOf(quantity, price.includedQuantity));
        const expectedMicros = parts.reduce((sum, part) => sum + R.microsHalfEven(part.variable) + part.flatMicros, 0n);
        const expectedExact = parts.reduce(
          (sum, part) => R.add(sum, R.add(R.mul(part.variable, R.ratInt(1_000_000n)), R.ratInt(part.flatMicros))),
          R.zero,
        );
        expect(result.amountMicros).toBe(expectedMicros);
        expect(R.eq(exactMicros(result.lines), expectedExact)).toBe(true);
      }),
      runs,
    );
  });

  it("total is the sum of the per-tier lines, and the tier quantities add up to the billable quantity", () => {
    fc.assert(
      fc.property(graduatedArb, quantityArb, (price, quantity) => {
        const result = rate(price, quantity);
        expect(result.amountMicros).toBe(sumLines(result.lines));
        const tierQuantity = result.lines
          .filter((line) => line.kind === "graduated_tier")
          .reduce((sum, line) => R.add(sum, R.rational(line.quantity)), R.zero);
        expect(R.eq(tierQuantity, R.rational(result.billableQuantity))).toBe(true);
      }),
      runs,
    );
  });

  it("are monotone in quantity", () => {
    fc.assert(
      fc.property(graduatedArb, quantityArb, quantityArb, (price, a, b) => {
        const [low, high] = R.cmp(R.rational(a), R.rational(b)) <= 0 ? [a, b] : [b, a];
        expect(rate(price, low).amountMicros <= rate(price, high).amountMicros).toBe(true);
      }),
      runs,
    );
  });

  it("rate(a + b) = rate(a) + the marginal cost of b on top of a, exactly", () => {
    fc.assert(
      fc.property(graduatedArb, quantityArb, quantityArb, (price, a, b) => {
        const total = R.add(R.rational(a), R.rational(b));
        const sumText = formatRational(total);
        const increment = rateIncrement(price, a, b);
        expect(rate(price, sumText).amountMicros).toBe(rate(price, a).amountMicros + increment.amountMicros);
        expect(sumLines(increment.lines)).toBe(increment.amountMicros);
        // Independently: the increment's exact amount is the tiers' price of the units between a and a + b.
        const tiers = refTiers(price.tiers);
        const before = R.graduatedParts(tiers, billableOf(a, price.includedQuantity));
        const after = R.graduatedParts(tiers, billableOf(sumText, price.includedQuantity));
        const exact = (parts: typeof before) =>
          parts.reduce((sum, part) => R.add(sum, R.add(R.mul(part.variable, R.ratInt(1_000_000n)), R.ratInt(part.flatMicros))), R.zero);
        expect(R.eq(exactMicros(increment.lines), R.sub(exact(after), exact(before)))).toBe(true);
      }),
      runs,
    );
  });
});

describe("volume prices (properties)", () => {
  it("charge every billable unit at the unit price of the tier the total reaches, plus that tier's flat fee", () => {
    fc.assert(
      fc.property(volumeArb, quantityArb, (price, quantity) => {
        const result = rate(price, quantity);
        const billable = billableOf(quantity, price.includedQuantity);
        if (R.eq(billable, R.zero)) {
          expect(result.amountMicros).toBe(0n);
          return;
        }
        let start = R.zero;
        let reached: PriceTier | undefined;
        for (const tier of price.tiers) {
          if (tier.upTo === null || R.cmp(billable, R.rational(tier.upTo)) <= 0) {
            reached = tier;
            break;
          }
          start = R.rational(tier.upTo);
        }
        if (!reached) throw new Error("generated tiers always end open");
        expect(R.cmp(billable, start) > 0).toBe(true);
        const expected = R.microsHalfEven(R.mul(billable, R.rational(reached.unitPrice))) + BigInt(reached.flatAmountMicros ?? "0");
        const tierLines = result.lines.filter((line) => line.kind === "volume_tier");
        expect(tierLines).toHaveLength(1);
        expect(tierLines[0]?.tier).toBe(price.tiers.indexOf(reached) + 1);
        expect(R.eq(R.rational(tierLines[0]?.quantity ?? "x"), billable)).toBe(true);
        expect(result.amountMicros).toBe(expected);
      }),
      runs,
    );
  });
});

describe("package prices (properties)", () => {
  const packageArb: fc.Arbitrary<PackagePrice> = fc
    .tuple(fc.bigInt({ min: 1n, max: 10_000n }), decimalString(1_000n, 12))
    .map(([size, packagePrice]) => ({ model: "package", packageSize: size.toString(), packagePrice, includedQuantity: "0" }));

  it("round the quantity up to whole packages", () => {
    fc.assert(
      fc.property(packageArb, quantityArb, (price, quantity) => {
        const result = rate(price, quantity);
        const packages = R.ceil(R.mul(R.rational(quantity), { n: 1n, d: BigInt(price.packageSize) }));
        if (packages === 0n) {
          expect(result.amountMicros).toBe(0n);
          return;
        }
        expect(result.lines[0]?.packages).toBe(packages.toString());
        expect(result.amountMicros).toBe(R.microsHalfEven(R.mul(R.ratInt(packages), R.rational(price.packagePrice))));
      }),
      runs,
    );
  });
});

describe("included quantity (properties)", () => {
  it("is free: any quantity up to it costs nothing, whatever the model (flat fees included)", () => {
    fc.assert(
      fc.property(fc.oneof(graduatedArb, volumeArb), decimalString(10_000n, 2), fc.integer({ min: 0, max: 100 }), (price, included, percent) => {
        const withIncluded = { ...price, includedQuantity: included };
        const quantity = formatRational(R.mul(R.rational(included), { n: BigInt(percent), d: 100n }));
        const result = rate(withIncluded, quantity);
        expect(result.amountMicros).toBe(0n);
        expect(result.lines.every((line) => line.kind === "included")).toBe(true);
      }),
      runs,
    );
  });

  it("is subtracted first: rating q with included i equals rating q − i without", () => {
    fc.assert(
      fc.property(graduatedArb, quantityArb, (price, quantity) => {
        const billable = formatRational(billableOf(quantity, price.includedQuantity));
        expect(rate(price, quantity).amountMicros).toBe(rate({ ...price, includedQuantity: "0" }, billable).amountMicros);
      }),
      runs,
    );
  });
});

describe("per-dimension overrides (properties)", () => {
  it("use the override for its value and the default for every other value", () => {
    const models = ["opus", "sonnet", "haiku", "unknown"] as const;
    fc.assert(
      fc.property(unitPriceArb, unitPriceArb, unitPriceArb, fc.constantFrom(...models), quantityArb, (base, opus, sonnet, model, quantity) => {
        const price: Price = {
          model: "per_unit",
          unitPrice: base,
          includedQuantity: "0",
          dimensionOverrides: {
            dimension: "model",
            prices: [
              { value: "opus", price: { model: "per_unit", unitPrice: opus, includedQuantity: "0" } },
              { value: "sonnet", price: { model: "per_unit", unitPrice: sonnet, includedQuantity: "0" } },
            ],
          },
        };
        const chosen = model === "opus" ? opus : model === "sonnet" ? sonnet : base;
        const result = rate(price, quantity, { model, region: "eu" });
        expect(result.amountMicros).toBe(R.microsHalfEven(R.mul(R.rational(quantity), R.rational(chosen))));
        expect(result.priceSource).toEqual(model === "opus" || model === "sonnet" ? { kind: "override", dimension: "model", value: model } : { kind: "default" });
      }),
      runs,
    );
  });
});

describe("worked examples (amounts computed by hand)", () => {
  it("$0.000002 per token × 1,234,567 tokens = $2.469134 = 2,469,134 micro", () => {
    // 1,234,567 × 0.000002 = 2.469134 USD exactly; × 1,000,000 = 2,469,134 micro, no rounding needed.
    const result = rate({ model: "per_unit", unitPrice: "0.000002", includedQuantity: "0" }, "1234567");
    expect(result.amountMicros).toBe(2_469_134n);
    expect(result.lines).toMatchObject([{ kind: "per_unit", quantity: "1234567", unitPrice: "0.000002", amountExactMicros: "2469134" }]);
  });

  it("$3 per million input tokens × 7 tokens rounds half to even", () => {
    // 0.000003 × 7 = 0.000021 USD = 21 micro (exact). At $0.0000005/token: 1 token = 0.5 micro → 0 (even);
    // 3 tokens = 1.5 micro → 2; 5 tokens = 2.5 micro → 2; 7 tokens = 3.5 micro → 4.
    expect(rate({ model: "per_unit", unitPrice: "0.000003", includedQuantity: "0" }, "7").amountMicros).toBe(21n);
    const half = { model: "per_unit", unitPrice: "0.0000005", includedQuantity: "0" } as const;
    expect(["1", "3", "5", "7"].map((quantity) => rate(half, quantity).amountMicros)).toEqual([0n, 2n, 2n, 4n]);
  });

  it("graduated tokens: 12,345,678 tokens over three tiers", () => {
    const price: GraduatedPrice = {
      model: "graduated",
      includedQuantity: "0",
      tiers: [
        { upTo: "1000000", unitPrice: "0.000003" },
        { upTo: "10000000", unitPrice: "0.0000025" },
        { upTo: null, unitPrice: "0.000002" },
      ],
    };
    // Tier 1: 1,000,000 × 0.000003  = 3.000000 → 3,000,000 micro
    // Tier 2: 9,000,000 × 0.0000025 = 22.5      → 22,500,000 micro
    // Tier 3: 2,345,678 × 0.000002  = 4.691356  → 4,691,356 micro
    // Total 30,191,356 micro = $30.191356
    const result = rate(price, "12345678");
    expect(result.lines.map((line) => [line.tier, line.from, line.to, line.quantity, line.amountMicros])).toEqual([
      [1, "0", "1000000", "1000000", 3_000_000n],
      [2, "1000000", "10000000", "9000000", 22_500_000n],
      [3, "10000000", null, "2345678", 4_691_356n],
    ]);
    expect(result.amountMicros).toBe(30_191_356n);
  });

  it("graduated with a flat fee charges the fee when the tier is entered, not before", () => {
    const price: GraduatedPrice = {
      model: "graduated",
      includedQuantity: "0",
      tiers: [
        { upTo: "100", unitPrice: "0", flatAmountMicros: "5000000" }, // first 100 reviews: $5 flat
        { upTo: null, unitPrice: "0.04" }, // then $0.04 each
      ],
    };
    expect(rate(price, "0").amountMicros).toBe(0n);
    expect(rate(price, "1").amountMicros).toBe(5_000_000n);
    // 130 reviews: $5 + 30 × $0.04 = $6.20
    expect(rate(price, "130").amountMicros).toBe(6_200_000n);
  });

  it("volume seats: 150 seats all at the 101–1000 price", () => {
    const price: VolumePrice = {
      model: "volume",
      includedQuantity: "0",
      tiers: [
        { upTo: "100", unitPrice: "10" },
        { upTo: "1000", unitPrice: "8", flatAmountMicros: "0" },
        { upTo: null, unitPrice: "6" },
      ],
    };
    // 150 × $8 = $1,200 = 1,200,000,000 micro; 100 seats stay at $10 → $1,000.
    expect(rate(price, "150").amountMicros).toBe(1_200_000_000n);
    expect(rate(price, "100").amountMicros).toBe(1_000_000_000n);
  });

  it("package: $5 per 1,000 requests, 2,001 requests is 3 packages = $15", () => {
    const result = rate({ model: "package", packageSize: "1000", packagePrice: "5", includedQuantity: "0" }, "2001");
    expect(result.lines[0]).toMatchObject({ packages: "3", packageSize: "1000" });
    expect(result.amountMicros).toBe(15_000_000n);
  });

  it("included: 1,000 free then $0.001 each; 1,500 → 500 × $0.001 = $0.50", () => {
    const result = rate({ model: "per_unit", unitPrice: "0.001", includedQuantity: "1000" }, "1500");
    expect(result.lines.map((line) => [line.kind, line.quantity, line.amountMicros])).toEqual([
      ["included", "1000", 0n],
      ["per_unit", "500", 500_000n],
    ]);
    expect(result.amountMicros).toBe(500_000n);
  });

  it("12-decimal unit prices stay exact on huge quantities", () => {
    // 987,654,321,987 × 0.000000000001 = 0.987654321987 USD = 987,654.321987 micro → 987,654
    expect(rate({ model: "per_unit", unitPrice: "0.000000000001", includedQuantity: "0" }, "987654321987").amountMicros).toBe(987_654n);
  });

  it("refuses negative or malformed quantities", () => {
    const price = { model: "per_unit", unitPrice: "1", includedQuantity: "0" } as const;
    expect(() => rate(price, "-1")).toThrow(RangeError);
    expect(() => rate(price, "1e3")).toThrow(RangeError);
  });
});

function formatRational(value: R.Rational): string {
  // Only used on values with a terminating decimal expansion (denominators 2^a·5^b).
  let scale = 0n;
  while ((10n ** scale) % value.d !== 0n) {
    scale += 1n;
    if (scale > 60n) throw new Error("not a terminating decimal");
  }
  const scaled = value.n * (10n ** scale / value.d);
  if (scale === 0n) return scaled.toString();
  const whole = scaled / 10n ** scale;
  const fraction = (scaled % 10n ** scale).toString().padStart(Number(scale), "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}
