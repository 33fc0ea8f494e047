import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ingestLimits } from "./ingest-limits";
import { meterValueProblem } from "./meter-values";

describe("meterValueProblem", () => {
  it("decides a number the same way as the same value sent as a decimal string", () => {
    const limit = Number(ingestLimits.valueLimit);
    const numbers = fc.oneof(
      fc.integer({ min: -1_000, max: 1_000 }),
      fc.integer({ min: limit - 1_000, max: limit + 1_000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -2 * limit, max: 2 * limit }),
      fc.constantFrom(0, -0, 1, limit - 1, limit, limit + 1, 0.5, 1e-12, 1e-13, 2 ** 53),
    );
    fc.assert(
      fc.property(numbers, (value) => {
        const text = Object.is(value, -0) ? "0" : JSON.stringify(value);
        // A string takes the slow path (pattern, scale, Decimal), whatever the number's size.
        const viaText = /e/i.test(text) ? meterValueProblem(JSON.parse(text) as number) : meterValueProblem(text);
        expect(meterValueProblem(value) === null).toBe(viaText === null);
      }),
      { numRuns: 2_000 },
    );
  });

  it("accepts whole numbers below the limit and refuses the limit, negatives and non-finite values", () => {
    const limit = Number(ingestLimits.valueLimit);
    expect(meterValueProblem(0)).toBeNull();
    expect(meterValueProblem(limit - 1)).toBeNull();
    expect(meterValueProblem(limit)).toMatch(/or more/);
    expect(meterValueProblem(-1)).toMatch(/negative/);
    expect(meterValueProblem(Number.POSITIVE_INFINITY)).not.toBeNull();
    expect(meterValueProblem(2 ** 60)).toMatch(/or more/);
  });
});
