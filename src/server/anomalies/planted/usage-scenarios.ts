import { seededRandom, type Random } from "@/server/seed/random";
import type { UsageDay, UsageSeries } from "../detectors/usage";
import { dayMs, dayString, hourMs } from "../robust";

/**
 * A planted data set for the usage detectors: realistic hourly usage of many customer × meter
 * series with randomised volumes, daily rhythms, weekly seasonality, growth and noise, some of
 * which carry a planted anomaly (a spike, a drop to zero, a partial drop, a stop within the last
 * hours) and many of which must not fire (steady, weekly, growing, noisy low-volume, sporadic,
 * new customers). Used by the detector's tests, the precision/recall script
 * (`npm run job -- anomalies:evaluate-planted`) and, inserted as rollups, by the end-to-end test.
 */

export type PlantedUsageKind = "steady" | "weekly" | "growth" | "noisy_low_volume" | "sporadic" | "new_customer" | "decline" | "spike" | "short_spike" | "drop_to_zero" | "partial_drop" | "stop_today";

export type PlantedHour = { hour: number; events: number; quantity: number };

export type PlantedUsageSeries = {
  key: string;
  kind: PlantedUsageKind;
  /** What the detector should report for this series (null: nothing). */
  expect: "usage_spike" | "usage_drop" | null;
  /** Hours since the epoch (UTC) with usage, ascending. */
  hours: PlantedHour[];
  /** When the planted anomaly starts (null without one). */
  anomalyStart: Date | null;
  /** A drop's missing usage, hour by hour (what would have come without it): sent under another subject in the "wrong subject" case. */
  lostHours: PlantedHour[];
  meterKey: string;
  unitsPerEvent: number;
  parameters: Record<string, number | string>;
};

export type PlantedUsageOptions = {
  seed: number;
  asOf: Date;
  /** How many series of each kind. */
  perKind?: Partial<Record<PlantedUsageKind, number>>;
  historyDays?: number;
};

export const defaultPlantedMix: Record<PlantedUsageKind, number> = {
  steady: 30,
  weekly: 30,
  growth: 25,
  noisy_low_volume: 40,
  sporadic: 15,
  new_customer: 15,
  decline: 10,
  spike: 25,
  short_spike: 10,
  drop_to_zero: 20,
  partial_drop: 15,
  stop_today: 15,
};

export function generatePlantedUsage(options: PlantedUsageOptions): PlantedUsageSeries[] {
  const random = seededRandom(options.seed);
  const mix = { ...defaultPlantedMix, ...(options.perKind ?? {}) };
  const series: PlantedUsageSeries[] = [];
  let counter = 0;
  for (const [kind, count] of Object.entries(mix) as [PlantedUsageKind, number][]) {
    for (let index = 0; index < count; index++) series.push(generateOne(random, kind, `${kind}-${counter++}`, options));
  }
  return series;
}

type Shape = {
  eventsPerDay: number;
  unitsPerEvent: number;
  profile: number[];
  weekday: number[];
  growthPerDay: number;
  dayNoise: number;
  activeDays: (day: number) => boolean;
  startDay: number;
};

function generateOne(random: Random, kind: PlantedUsageKind, key: string, options: PlantedUsageOptions): PlantedUsageSeries {
  const historyDays = options.historyDays ?? 63;
  const asOfMs = options.asOf.getTime();
  const nowHour = Math.floor(asOfMs / hourMs);
  const firstHour = nowHour - historyDays * 24 - (nowHour % 24);
  const meterKey = random.chance(0.5) ? "llm_tokens" : "agent_requests";
  const unitsPerEvent = meterKey === "llm_tokens" ? Math.round(logUniform(random, 500, 8000)) : 1;
  const business = random.chance(0.4);
  const shape: Shape = {
    eventsPerDay: kind === "noisy_low_volume" ? logUniform(random, 1, 12) : logUniform(random, 80, 20_000),
    unitsPerEvent,
    profile: business ? businessProfile(random) : roundTheClockProfile(random),
    weekday: kind === "weekly" || (kind !== "steady" && random.chance(0.3)) ? weeklyFactors(random) : [1, 1, 1, 1, 1, 1, 1],
    growthPerDay: kind === "growth" ? 1 + random.next() * 0.035 + 0.005 : kind === "decline" ? 1 - (random.next() * 0.02 + 0.005) : 1,
    dayNoise: 0.05 + random.next() * 0.2,
    activeDays: kind === "sporadic" ? sporadicDays(random) : () => true,
    startDay: kind === "new_customer" ? historyDays - random.int(2, 8) : 0,
  };
  const parameters: Record<string, number | string> = {
    eventsPerDay: round(shape.eventsPerDay),
    unitsPerEvent,
    profile: business ? "business" : "round_the_clock",
    growthPerDay: round(shape.growthPerDay, 4),
    dayNoise: round(shape.dayNoise, 3),
  };
  const multiplier = plantAnomaly(random, kind, nowHour, parameters);
  const hours: PlantedHour[] = [];
  const lostHours: PlantedHour[] = [];
  const dayFactors = new Map<number, number>();
  for (let hour = firstHour; hour < nowHour; hour++) {
    const day = Math.floor((hour - firstHour) / 24);
    if (day < shape.startDay || !shape.activeDays(day)) continue;
    const dayOfWeek = new Date(hour * hourMs).getUTCDay();
    if (!dayFactors.has(day)) dayFactors.set(day, Math.exp(gaussian(random) * shape.dayNoise));
    const growth = shape.growthPerDay ** (day - historyDays);
    const ramp = kind === "new_customer" ? Math.min(1, (day - shape.startDay + 1) / 3) : 1;
    const usual = shape.eventsPerDay * shape.weekday[dayOfWeek]! * growth * dayFactors.get(day)! * ramp;
    const lambda = usual * shape.profile[hour % 24]! * multiplier.at(hour) + usual * (multiplier.extraPerDay?.(hour) ?? 0);
    const usualLambda = usual * shape.profile[hour % 24]!;
    const events = poisson(random, lambda);
    if (multiplier.expect === "usage_drop" && lambda < usualLambda) {
      const lost = poisson(random, usualLambda - lambda);
      if (lost > 0) lostHours.push({ hour, events: lost, quantity: unitsPerEvent === 1 ? lost : lost * unitsPerEvent });
    }
    if (events === 0) continue;
    const quantity = unitsPerEvent === 1 ? events : Math.max(1, Math.round(events * unitsPerEvent * Math.exp(gaussian(random) * (0.5 / Math.sqrt(events)))));
    hours.push({ hour, events, quantity });
  }
  return { key, kind, expect: multiplier.expect, hours, lostHours, anomalyStart: multiplier.start, meterKey, unitsPerEvent, parameters };
}

/** `at`: factor on the usual rate; `extraPerDay`: events added at that hour as a multiple of the usual daily volume. */
type Multiplier = { at: (hour: number) => number; extraPerDay?: (hour: number) => number; expect: PlantedUsageSeries["expect"]; start: Date | null };

function plantAnomaly(random: Random, kind: PlantedUsageKind, nowHour: number, parameters: Record<string, number | string>): Multiplier {
  const none: Multiplier = { at: () => 1, expect: null, start: null };
  const todayStart = nowHour - (nowHour % 24);
  if (kind === "spike") {
    const daysAgo = random.int(1, 5);
    const duration = random.int(1, 2);
    const factor = 4 + random.next() * 16;
    const from = todayStart - daysAgo * 24;
    const to = Math.min(from + duration * 24, nowHour);
    Object.assign(parameters, { factor: round(factor, 2), daysAgo, durationDays: duration });
    return { at: (hour) => (hour >= from && hour < to ? factor : 1), expect: "usage_spike", start: new Date(from * hourMs) };
  }
  if (kind === "short_spike") {
    // A few hours of runaway usage: several days' worth of events in 2–6 hours.
    const daysAgo = random.int(1, 4);
    const length = random.int(2, 6);
    const from = todayStart - daysAgo * 24 + random.int(0, 24 - length);
    const extraDays = 4 + random.next() * 10;
    Object.assign(parameters, { extraDays: round(extraDays, 2), daysAgo, hours: length });
    return { at: () => 1, extraPerDay: (hour) => (hour >= from && hour < from + length ? extraDays / length : 0), expect: "usage_spike", start: new Date(from * hourMs) };
  }
  if (kind === "drop_to_zero") {
    const from = nowHour - random.int(20, 5 * 24);
    Object.assign(parameters, { stoppedHoursAgo: nowHour - from });
    return { at: (hour) => (hour >= from ? 0 : 1), expect: "usage_drop", start: new Date(from * hourMs) };
  }
  if (kind === "stop_today") {
    const from = nowHour - random.int(8, 18);
    Object.assign(parameters, { stoppedHoursAgo: nowHour - from });
    return { at: (hour) => (hour >= from ? 0 : 1), expect: "usage_drop", start: new Date(from * hourMs) };
  }
  if (kind === "partial_drop") {
    const from = todayStart - random.int(2, 5) * 24 + random.int(0, 23);
    const level = random.next() * 0.12;
    Object.assign(parameters, { level: round(level, 3), droppedHoursAgo: nowHour - from });
    return { at: (hour) => (hour >= from ? level : 1), expect: "usage_drop", start: new Date(from * hourMs) };
  }
  return none;
}

/** Business hours: most events 08–18 UTC, a trickle at night. */
function businessProfile(random: Random): number[] {
  const start = random.int(6, 10);
  const end = start + random.int(8, 11);
  const weights = Array.from({ length: 24 }, (_, hour) => (hour >= start && hour < end ? 1 : 0.03 + random.next() * 0.04));
  return normalize(weights);
}

/** Around the clock, with a gentle daily wave. */
function roundTheClockProfile(random: Random): number[] {
  const phase = random.next() * 24;
  const depth = 0.1 + random.next() * 0.4;
  return normalize(Array.from({ length: 24 }, (_, hour) => 1 + depth * Math.sin(((hour - phase) / 24) * 2 * Math.PI)));
}

/** Quieter weekends (or a quieter weekday), Sunday first. */
function weeklyFactors(random: Random): number[] {
  const weekend = 0.15 + random.next() * 0.45;
  const factors = [weekend, 1, 1, 1, 1, 1, weekend * (0.8 + random.next() * 0.4)];
  if (random.chance(0.3)) factors[random.int(1, 5)] = 1.3 + random.next() * 0.5;
  const mean = factors.reduce((sum, value) => sum + value, 0) / 7;
  return factors.map((value) => value / mean);
}

function sporadicDays(random: Random): (day: number) => boolean {
  const share = 0.2 + random.next() * 0.3;
  const seed = random.int(1, 1_000_000);
  return (day) => seededRandom(seed + day).next() < share;
}

function normalize(values: number[]): number[] {
  const total = values.reduce((sum, value) => sum + value, 0);
  return values.map((value) => value / total);
}

export function logUniform(random: Random, min: number, max: number): number {
  return Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min)));
}

export function gaussian(random: Random): number {
  const u = Math.max(random.next(), 1e-12);
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(random)));
  const limit = Math.exp(-lambda);
  let count = 0;
  let product = random.next();
  while (product > limit) {
    count++;
    product *= random.next();
  }
  return count;
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Hourly usage → the detector's daily series (quantity, events, active-hour bitmask per UTC day). */
export function toUsageDays(hours: readonly PlantedHour[]): UsageDay[] {
  const byDay = new Map<string, UsageDay>();
  for (const { hour, events, quantity } of hours) {
    const day = dayString(new Date(hour * hourMs));
    const entry = byDay.get(day) ?? { day, quantity: 0, events: 0, activeHours: 0 };
    entry.quantity += quantity;
    entry.events += events;
    entry.activeHours |= 1 << (hour % 24);
    byDay.set(day, entry);
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

export function toUsageSeries(planted: PlantedUsageSeries): UsageSeries {
  return { key: planted.key, customerId: planted.key, subject: planted.key, meterKey: planted.meterKey, days: toUsageDays(planted.hours) };
}

export const plantedDayMs = dayMs;
