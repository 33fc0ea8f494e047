import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalString, graduatedArb, volumeArb } from "@/server/pricing/arbitraries.test-helper";
import { Decimal } from "@/server/pricing/decimal";
import type { Price } from "@/server/pricing/price-schema";
import type { BilledMeter } from "./billing-terms";
import { divideHalfEven, microsToCents } from "./money";
import { rateUsageGroups, type BilledGroup } from "./rate-usage-groups";
import type { UsageGroup } from "./read-usage-groups";

const models = ["haiku", "opus", "sonnet", "other"] as const;

function meterWith(price: Price, ratingDimension: string | null): BilledMeter {
  return { meterKey: "tokens", meterId: "00000000-0000-0000-0000-000000000001", meterName: "Tokens", unit: "token", aggregation: "sum", productKey: "agent", price, ratingDimension, planAllowance: "0" };
}

const priceArb: fc.Arbitrary<Price> = fc.oneof(
  graduatedArb,
  volumeArb,
  fc.record({ model: fc.constant("package" as const), packageSize: fc.integer({ min: 1, max: 1000 }).map(String), packagePrice: decimalString(10n, 4), includedQuantity: decimalString(100n, 0) }),
  // Per model: an override ladder for opus, the default for the rest.
  fc.tuple(graduatedArb, volumeArb).map(([fallback, opus]): Price => ({ ...fallback, dimensionOverrides: { dimension: "model", prices: [{ value: "opus", price: opus }] } })),
);

/** Usage per model over the period, cut into invoices: each cut is a snapshot of cumulative usage. */
const scenarioArb = fc.record({
  price: priceArb,
  allowance: fc.oneof(fc.constant("0"), decimalString(5_000n, 2)),
  increments: fc.array(fc.array(fc.tuple(fc.constantFrom(...models), decimalString(20_000n, 3)), { maxLength: 6 }), { minLength: 1, maxLength: 5 }),
});

function snapshots(increments: ReadonlyArray<ReadonlyArray<readonly [string, string]>>): UsageGroup[][] {
  const totals = new Map<string, { quantity: Decimal; firstUse: Date }>();
  return increments.map((step, stepIndex) => {
    for (const [model, quantity] of step) {
      const current = totals.get(model) ?? { quantity: new Decimal(0), firstUse: new Date(Date.UTC(2026, 0, 1, stepIndex)) };
      totals.set(model, { ...current, quantity: current.quantity.plus(quantity) });
    }
    return [...totals].map(([value, group]) => ({ value, quantity: group.quantity.toFixed(), firstUse: group.firstUse }));
  });
}

describe("split billing", () => {
  it("threshold invoices plus the period-end invoice bill exactly what one invoice for the whole period bills", () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ price, allowance, increments }, perModel) => {
        const meter = meterWith(price, perModel || price.dimensionOverrides ? "model" : null);
        const cuts = snapshots(increments).map((groups) => (meter.ratingDimension ? groups : mergeGroups(groups)));
        let billed = new Map<string, BilledGroup>();
        let splitMicros = 0n;
        const billableSeen = new Map<string, Decimal>();
        for (const groups of cuts) {
          const rated = rateUsageGroups(meter, groups, allowance, billed);
          splitMicros += rated.reduce((sum, group) => sum + group.amountMicros, 0n);
          billed = new Map(rated.map((group) => [group.groupKey, { usageQuantity: group.usageQuantity, billableQuantity: group.billableQuantity }]));
          for (const group of rated) {
            // First-use order: as usage grows, no group's billable quantity ever goes down.
            expect(new Decimal(group.billableQuantity).greaterThanOrEqualTo(billableSeen.get(group.groupKey) ?? 0)).toBe(true);
            billableSeen.set(group.groupKey, new Decimal(group.billableQuantity));
          }
        }
        const whole = rateUsageGroups(meter, cuts[cuts.length - 1]!, allowance, new Map());
        expect(splitMicros).toBe(whole.reduce((sum, group) => sum + group.amountMicros, 0n));
        const allocated = whole.reduce((sum, group) => sum.plus(group.allowanceQuantity), new Decimal(0));
        expect(allocated.lessThanOrEqualTo(allowance)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the allowance to the group used first, then by dimension value", () => {
    const meter = meterWith({ model: "per_unit", unitPrice: "1", includedQuantity: "0" }, "model");
    const at = (hour: number) => new Date(Date.UTC(2026, 0, 1, hour));
    const rated = rateUsageGroups(
      meter,
      [
        { value: "sonnet", quantity: "50", firstUse: at(1) },
        { value: "haiku", quantity: "80", firstUse: at(2) },
        { value: "opus", quantity: "10", firstUse: at(2) },
      ],
      "100",
      new Map(),
    );
    expect(rated.map((group) => [group.groupKey, group.allowanceQuantity, group.billableQuantity])).toEqual([
      ["=sonnet", "50", "0"],
      ["=haiku", "50", "30"],
      ["=opus", "0", "10"],
    ]);
  });
});

describe("cents", () => {
  it("rounds half to even at the cent, symmetrically for negative lines", () => {
    expect([5_000n, 15_000n, 25_000n, 25_001n, -5_000n, -15_000n, 14_999n].map(microsToCents)).toEqual([0n, 2n, 2n, 3n, 0n, -2n, 1n]);
  });

  it("leaves a remainder below half a cent per line", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (micros) => {
        const remainder = micros - microsToCents(micros) * 10_000n;
        expect(remainder <= 5_000n && remainder >= -5_000n).toBe(true);
        expect(divideHalfEven(micros, 1n)).toBe(micros);
      }),
    );
  });
});

function mergeGroups(groups: UsageGroup[]): UsageGroup[] {
  if (groups.length === 0) return [];
  const quantity = groups.reduce((sum, group) => sum.plus(group.quantity), new Decimal(0));
  return [{ value: null, quantity: quantity.toFixed(), firstUse: groups.reduce((first, group) => (group.firstUse < first ? group.firstUse : first), groups[0]!.firstUse) }];
}
