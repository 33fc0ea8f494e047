import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addIntervals, periodContaining, periodsEndingBetween } from "./billing-period";

const anchors = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true });

describe("billing periods", () => {
  it("clamps to the end of short months and returns to the anchor day", () => {
    const anchor = new Date("2026-01-31T10:00:00Z");
    expect(addIntervals(anchor, "month", 1).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(addIntervals(anchor, "month", 2).toISOString()).toBe("2026-03-31T10:00:00.000Z");
    expect(addIntervals(new Date("2027-01-31T00:00:00Z"), "month", 13).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(addIntervals(new Date("2024-02-29T00:00:00Z"), "year", 1).toISOString()).toBe("2025-02-28T00:00:00.000Z");
  });

  it("puts every instant in exactly one half-open period, and consecutive periods tile time", () => {
    fc.assert(
      fc.property(anchors, fc.integer({ min: 0, max: 5 * 365 * 24 * 3600 }), fc.constantFrom("month" as const, "year" as const), (anchor, offsetSeconds, interval) => {
        const at = new Date(anchor.getTime() + offsetSeconds * 1000);
        const period = periodContaining(anchor, interval, at);
        expect(period.start.getTime()).toBeLessThanOrEqual(at.getTime());
        expect(at.getTime()).toBeLessThan(period.end.getTime());
        expect(period.start.getTime()).toBe(addIntervals(anchor, interval, period.index).getTime());
        const next = periodContaining(anchor, interval, period.end);
        expect(next.start.getTime()).toBe(period.end.getTime());
        expect(next.index).toBe(period.index + 1);
      }),
      { numRuns: 500 },
    );
  });

  it("lists the periods that ended in a window, without gaps", () => {
    const anchor = new Date("2026-01-15T00:00:00Z");
    const periods = periodsEndingBetween(anchor, "month", new Date("2026-02-01T00:00:00Z"), new Date("2026-05-15T00:00:00Z"));
    expect(periods.map((period) => period.end.toISOString().slice(0, 10))).toEqual(["2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15"]);
    for (let index = 1; index < periods.length; index++) expect(periods[index]!.start).toEqual(periods[index - 1]!.end);
  });
});
