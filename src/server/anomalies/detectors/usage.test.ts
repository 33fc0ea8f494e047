import { describe, expect, it } from "vitest";
import { evaluateUsageDetector } from "../planted/evaluate-usage";
import { generatePlantedUsage, toUsageDays, toUsageSeries, type PlantedHour } from "../planted/usage-scenarios";
import { hourMs } from "../robust";
import { defaultAnomalySettings } from "../settings";
import { detectUsageAnomalies, type UsageSeries } from "./usage";

const settings = defaultAnomalySettings();
const asOf = new Date("2026-06-17T15:20:00Z");
const nowHour = Math.floor(asOf.getTime() / hourMs);

/** Hourly usage for `days` days back: `rate(day, hourOfDay, dayOfWeek)` events per hour, `units` each. */
function series(days: number, rate: (dayIndex: number, hour: number, weekday: number) => number, units = 1): UsageSeries {
  const hours: PlantedHour[] = [];
  const start = nowHour - (nowHour % 24) - days * 24;
  for (let hour = start; hour < nowHour; hour++) {
    const date = new Date(hour * hourMs);
    const events = Math.round(rate(Math.floor((hour - start) / 24), date.getUTCHours(), date.getUTCDay()));
    if (events > 0) hours.push({ hour, events, quantity: events * units });
  }
  return { key: "s", customerId: "c", subject: "c-ext", meterKey: "agent_requests", days: toUsageDays(hours) };
}

/** A deterministic wobble of ±10% so the baseline has spread. */
const wobble = (day: number, hour: number) => 1 + 0.1 * Math.sin(day * 1.7 + hour * 0.3);

function kinds(input: UsageSeries): string[] {
  return detectUsageAnomalies({ series: [input], asOf, settings }).findings.map((finding) => finding.kind);
}

describe("usage detector", () => {
  it("finds a spike: one day at six times the usual volume", () => {
    const found = detectUsageAnomalies({ series: [series(63, (day, hour) => (day === 60 ? 6 : 1) * 40 * wobble(day, hour))], asOf, settings }).findings;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "usage_spike", windowStart: new Date("2026-06-14T00:00:00Z"), windowEnd: new Date("2026-06-15T00:00:00Z"), ongoing: false });
    expect(found[0]!.ratio).toBeGreaterThan(4);
  });

  it("does not fire on steady usage, on weekly seasonality or on steady growth", () => {
    expect(kinds(series(63, (day, hour) => 40 * wobble(day, hour)))).toEqual([]);
    // Weekends at a fifth of weekdays, Mondays busier.
    expect(kinds(series(63, (day, hour, weekday) => (weekday === 0 || weekday === 6 ? 8 : weekday === 1 ? 70 : 40) * wobble(day, hour)))).toEqual([]);
    // 3% a day: the level more than quintuples over the history.
    expect(kinds(series(63, (day, hour) => 10 * 1.03 ** day * wobble(day, hour)))).toEqual([]);
  });

  it("does not judge a new customer with a few days of history, even with a big jump", () => {
    expect(kinds(series(6, (day, hour) => (day === 5 ? 20 : 2) * wobble(day, hour)))).toEqual([]);
  });

  it("finds usage that dropped to zero days ago, as one episode reaching the present", () => {
    const found = detectUsageAnomalies({ series: [series(63, (day, hour) => (day >= 60 ? 0 : 40 * wobble(day, hour)))], asOf, settings }).findings;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "usage_drop", ongoing: true, observed: 0, windowStart: new Date("2026-06-14T00:00:00Z"), windowEnd: new Date("2026-06-17T15:00:00Z") });
    expect(found[0]!.stop?.silentHours).toBeGreaterThanOrEqual(80);
  });

  it("finds a stop within the day from the hours that usually have events", () => {
    const stoppedAt = nowHour - 7;
    const input = series(63, (day, hour) => 30 * wobble(day, hour));
    const days = toUsageDays(
      Array.from({ length: 63 * 24 + 15 }, (_, index) => nowHour - 63 * 24 - 15 + index)
        .filter((hour) => hour < stoppedAt)
        .map((hour) => ({ hour, events: 30, quantity: 30 })),
    );
    const found = detectUsageAnomalies({ series: [{ ...input, days }], asOf, settings }).findings;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "usage_drop", ongoing: true, windowStart: new Date(stoppedAt * hourMs) });
  });

  it("does not call a business-hours customer's night a stop", () => {
    const businessHours = (day: number, hour: number, weekday: number) => (weekday !== 0 && weekday !== 6 && hour >= 8 && hour < 18 ? 50 * wobble(day, hour) : 0);
    // 15:20 on a Wednesday: judged at 02:20 the next night it is quiet, and usually is.
    const night = new Date("2026-06-18T02:20:00Z");
    const input = series(63, businessHours);
    expect(detectUsageAnomalies({ series: [input], asOf: night, settings }).findings).toEqual([]);
  });

  it("does not call a noisy customer with three events a day a spike when it sends nine", () => {
    expect(kinds(series(63, (day) => ((day * 7) % 5 === 0 && day < 60 ? 5 : day === 61 ? 9 : 3) / 24))).toEqual([]);
  });

  it("never calls an intermittent customer's quiet days a drop", () => {
    expect(kinds(series(63, (day, hour) => (day % 3 === 0 && day < 58 ? 40 * wobble(day, hour) : 0)))).not.toContain("usage_drop");
  });

  it("meets the targets on planted data sets (three seeds): recall ≥ 95%, precision ≥ 90%", () => {
    for (const seed of [101, 202, 303]) {
      const result = evaluateUsageDetector({ seed, asOf: new Date(asOf.getTime() + seed * 3 * hourMs) }, settings);
      expect(result.recall, JSON.stringify(result.misses.slice(0, 5))).toBeGreaterThanOrEqual(0.95);
      expect(result.precision, JSON.stringify(result.misses.slice(0, 5))).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("is deterministic: the same planted set gives the same findings", () => {
    const planted = generatePlantedUsage({ seed: 7, asOf, perKind: { spike: 5, drop_to_zero: 5, steady: 5 } }).map(toUsageSeries);
    expect(detectUsageAnomalies({ series: planted, asOf, settings })).toEqual(detectUsageAnomalies({ series: planted, asOf, settings }));
  });
});
