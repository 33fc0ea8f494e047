import { describe, expect, it } from "vitest";
import type { Price } from "./price-schema";
import { ratePeriod } from "./rate-period";
import { simulatePlan, type PlanPricing } from "./simulate-plan";

const tokens: Price = {
  model: "graduated",
  includedQuantity: "0",
  tiers: [
    { upTo: "1000000", unitPrice: "0.000003" },
    { upTo: null, unitPrice: "0.000002" },
  ],
  dimensionOverrides: {
    dimension: "model",
    prices: [{ value: "opus", price: { model: "per_unit", unitPrice: "0.000015", includedQuantity: "0" } }],
  },
};
const requests: Price = { model: "package", packageSize: "1000", packagePrice: "1", includedQuantity: "1000" };

describe("ratePeriod", () => {
  it("rates per meter and per override-dimension value, summing other dimensions before the tiers", () => {
    const result = ratePeriod({
      prices: [
        { meterKey: "llm_tokens", price: tokens },
        { meterKey: "agent_requests", price: requests },
      ],
      usage: [
        { meterKey: "llm_tokens", dimensions: { model: "opus", region: "eu" }, quantity: "100000" },
        { meterKey: "llm_tokens", dimensions: { model: "haiku", region: "eu" }, quantity: "600000" },
        { meterKey: "llm_tokens", dimensions: { model: "haiku", region: "us" }, quantity: "600000" },
        { meterKey: "agent_requests", dimensions: {}, quantity: "2500" },
        { meterKey: "reviews", dimensions: {}, quantity: "3" },
      ],
    });
    // opus: 100,000 × $0.000015 = $1.50 = 1,500,000 micro (override)
    // haiku: 1,200,000 tokens summed across regions: 1,000,000 × 0.000003 = $3 + 200,000 × 0.000002 = $0.40 → 3,400,000 micro
    // requests: 2,500 − 1,000 included = 1,500 → 2 packages × $1 = 2,000,000 micro
    const tokensMeter = result.meters.find((meter) => meter.meterKey === "llm_tokens");
    expect(tokensMeter?.groups.map((group) => [group.dimensions, group.priceSource.kind, group.quantity, group.amountMicros])).toEqual([
      [{ model: "haiku" }, "default", "1200000", 3_400_000n],
      [{ model: "opus" }, "override", "100000", 1_500_000n],
    ]);
    expect(tokensMeter?.groups[0]?.usage).toHaveLength(2);
    expect(tokensMeter?.amountMicros).toBe(4_900_000n);
    expect(result.meters.find((meter) => meter.meterKey === "agent_requests")?.amountMicros).toBe(2_000_000n);
    expect(result.amountMicros).toBe(6_900_000n);
    expect(result.unpricedMeterKeys).toEqual(["reviews"]);
  });

  it("reports a priced meter without usage as zero", () => {
    const result = ratePeriod({ prices: [{ meterKey: "agent_requests", price: requests }], usage: [] });
    expect(result.meters).toEqual([{ meterKey: "agent_requests", quantity: "0", amountMicros: 0n, groups: [] }]);
  });
});

describe("simulatePlan", () => {
  it("returns the difference per subject, per meter and in total", () => {
    const current: PlanPricing = { baseFeePerSeatMicros: 20_000_000n, usagePrices: [{ meterKey: "llm_tokens", price: tokens }] };
    const cheaperOpus: Price = {
      ...tokens,
      dimensionOverrides: { dimension: "model", prices: [{ value: "opus", price: { model: "per_unit", unitPrice: "0.00001", includedQuantity: "0" } }] },
    };
    const proposed: PlanPricing = { baseFeePerSeatMicros: 25_000_000n, usagePrices: [{ meterKey: "llm_tokens", price: cheaperOpus }] };
    const result = simulatePlan({
      current,
      proposed,
      subjects: [
        // 3 seats: base +$15; opus 1,000,000 tokens: $15 → $10 = −$5; net +$10
        { id: "acme", seats: 3, usage: [{ meterKey: "llm_tokens", dimensions: { model: "opus" }, quantity: "1000000" }] },
        // 1 seat, 5,000,000 opus tokens: base +$5; $75 → $50 = −$25; net −$20
        { id: "globex", seats: 1, usage: [{ meterKey: "llm_tokens", dimensions: { model: "opus" }, quantity: "5000000" }] },
        { id: "idle", seats: 0, usage: [] },
      ],
    });
    expect(result.subjects.map((subject) => [subject.id, subject.differenceMicros])).toEqual([
      ["acme", 10_000_000n],
      ["globex", -20_000_000n],
      ["idle", 0n],
    ]);
    expect(result.subjects[0]?.meters).toEqual([
      { meterKey: "llm_tokens", currentMicros: 15_000_000n, proposedMicros: 10_000_000n, differenceMicros: -5_000_000n },
    ]);
    expect(result.differenceMicros).toBe(-10_000_000n);
    expect(result.counts).toEqual({ increase: 1, decrease: 1, unchanged: 1 });
  });
});
