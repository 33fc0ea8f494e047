import { addDays, bitsBefore, dayMs, dayOfWeek, dayStart, dayString, hourMs, mad, madToSigma, median, popcount } from "../robust";
import type { AnomalySettings } from "../settings";

/**
 * Usage spikes and drops, as a pure function over a series' daily usage (from metering's hourly
 * rollups, see read-usage-series.ts). No database, no clock: everything arrives as arguments.
 *
 * The baseline of a day is robust and seasonal where history allows:
 *  - weekday factors (median of each weekday over the median of the weekday medians) once the
 *    history spans 3 weeks, so a quiet weekend is not a drop and a busy Monday is not a spike;
 *  - a robust trend: the median of the last two weeks (weekday-adjusted) moved along the slope
 *    between the medians of the last two weeks and the two before, bounded to [½, 2] of the recent
 *    level — so steady growth raises the expectation instead of firing;
 *  - the deviation scale: 1.4826 × MAD of the baseline's own residuals, never below a share of the
 *    expected value nor below the Poisson noise of the expected event count (a customer with three
 *    events a day is noisy, whatever its MAD says).
 * A day is a spike when it is `spike_ratio` × expected, `spike_sigmas` deviations above, and
 * `spike_guard_ratio` × the 90th percentile of the baseline's days. It is a drop when the series is
 * steady (usage on most baseline days, enough events expected) and the day falls to `drop_ratio` ×
 * expected, `drop_sigmas` deviations below and under half its 10th percentile. Today counts as the
 * share of a day that has passed by the last complete hour (from the hour-of-day activity profile).
 * "Usage stopped" is judged by the hour: hours without events that, the same hours of the past
 * weeks, had events so reliably that silence this long has a chance under one in a million, with
 * enough events expected in them.
 * Days already flagged do not enter the baseline of later days; consecutive flagged days form one
 * episode, one finding.
 */

export type UsageDay = { day: string; quantity: number; events: number; activeHours: number };

export type UsageSeries = {
  /** Stable id of the series (customer and meter). */
  key: string;
  customerId: string;
  subject: string;
  meterKey: string;
  /** Ascending by day, sparse (a missing day had no usage). */
  days: readonly UsageDay[];
};

export type UsageFindingDay = { day: string; observed: number; expected: number; sigma: number; share: number };

export type UsageFinding = {
  kind: "usage_spike" | "usage_drop";
  seriesKey: string;
  customerId: string;
  subject: string;
  meterKey: string;
  windowStart: Date;
  windowEnd: Date;
  /** The episode reaches the present (usage still stopped, or still spiking today). */
  ongoing: boolean;
  observed: number;
  expected: number;
  observedEvents: number;
  expectedEvents: number;
  /** observed / expected (Infinity when nothing was expected). */
  ratio: number;
  days: UsageFindingDay[];
  stop: StopFinding | null;
  baseline: Baseline;
};

export type StopFinding = { lastActiveAt: Date | null; silentHours: number; expectedActiveHours: number; log10ChanceOfSilence: number; expectedEvents: number };

export type Baseline = {
  method: "day_of_week" | "daily";
  historyDays: number;
  level: number;
  trendPerDay: number;
  /** Weekday factors, Sunday first (1 when not weekly). */
  weekdayFactors: number[];
  sigma: number;
  p10: number;
  p90: number;
  activeShare: number;
  eventsPerUnit: number;
};

export type DetectUsageInput = { series: readonly UsageSeries[]; asOf: Date; settings: AnomalySettings };

export type DetectUsageResult = {
  findings: UsageFinding[];
  /** Series judged (enough history): their usage anomalies since `evaluatedFrom` were re-examined. */
  evaluatedSeriesKeys: string[];
  evaluatedFrom: Date;
};

const recentWindowDays = 14;
const stopLookbackHoursMax = 7 * 24;
const stopChanceMaxLog10 = -6;
const stopMinExpectedEvents = 10;
const partialShareMin = 0.15;

export function detectUsageAnomalies(input: DetectUsageInput): DetectUsageResult {
  const { settings, asOf } = input;
  const today = dayString(asOf);
  const lookback = Math.max(1, Math.round(settings["usage.lookback_days"]));
  const evaluatedFromDay = addDays(today, -lookback);
  const findings: UsageFinding[] = [];
  const evaluated: string[] = [];
  for (const series of input.series) {
    const result = detectSeries(series, asOf, today, lookback, settings);
    if (result.evaluated) evaluated.push(series.key);
    findings.push(...result.findings);
  }
  return { findings, evaluatedSeriesKeys: evaluated, evaluatedFrom: dayStart(evaluatedFromDay) };
}

type Dense = { start: string; quantity: Float64Array; events: Float64Array; masks: Int32Array; length: number };

function densify(series: UsageSeries, startDay: string, endDay: string): Dense {
  const length = Math.round((Date.parse(`${endDay}T00:00:00Z`) - Date.parse(`${startDay}T00:00:00Z`)) / dayMs) + 1;
  const dense: Dense = { start: startDay, quantity: new Float64Array(length), events: new Float64Array(length), masks: new Int32Array(length), length };
  const startMs = Date.parse(`${startDay}T00:00:00Z`);
  for (const day of series.days) {
    const index = Math.round((Date.parse(`${day.day}T00:00:00Z`) - startMs) / dayMs);
    if (index < 0 || index >= length) continue;
    dense.quantity[index] = day.quantity;
    dense.events[index] = day.events;
    dense.masks[index] = day.activeHours;
  }
  return dense;
}

type Model = {
  expected: (index: number) => number;
  /** The floor of what a spike is measured against: a quarter of the usual level, even on a day that is usually empty. */
  spikeBase: (index: number) => number;
  expectedEvents: (index: number) => number;
  sigma: number;
  p10: (index: number) => number;
  p90: (index: number) => number;
  activeShare: (index: number) => number;
  intermittent: boolean;
  shareByHour: (index: number, hour: number) => number;
  baseline: Baseline;
};

type Flag = { index: number; kind: "usage_spike" | "usage_drop"; observed: number; observedEvents: number; expected: number; expectedEvents: number; share: number };

function detectSeries(series: UsageSeries, asOf: Date, today: string, lookback: number, settings: AnomalySettings): { evaluated: boolean; findings: UsageFinding[] } {
  const historyDays = Math.round(settings["usage.history_days"]);
  const startDay = addDays(today, -(historyDays + lookback));
  const dense = densify(series, startDay, today);
  const todayIndex = dense.length - 1;
  const rangeStart = todayIndex - lookback;
  let firstActive = -1;
  for (let index = 0; index < dense.length; index++) {
    if (dense.events[index]! > 0) {
      firstActive = index;
      break;
    }
  }
  const minHistory = settings["usage.min_history_days"];
  if (firstActive < 0 || rangeStart - firstActive < minHistory) return { evaluated: false, findings: [] };
  const model = fitModel(dense, Math.max(firstActive, rangeStart - historyDays), rangeStart, settings);
  const currentHour = asOf.getUTCHours();
  const flags: Flag[] = [];
  for (let index = rangeStart; index <= todayIndex; index++) {
    const partial = index === todayIndex;
    const share = partial ? model.shareByHour(index, currentHour) : 1;
    if (partial && share < partialShareMin) continue;
    const observed = dense.quantity[index]!;
    const observedEvents = dense.events[index]!;
    const kind = judgeDay(index, observed, observedEvents, model, share, partial, settings);
    if (kind !== null) flags.push({ index, kind, observed, observedEvents, expected: model.expected(index) * share, expectedEvents: model.expectedEvents(index) * share, share });
  }
  const findings = episodes(series, dense, flags, asOf, todayIndex, model);
  const stop = detectStop(dense, firstActive, asOf, model, settings);
  if (stop) mergeStop(series, dense, findings, stop, model, asOf, todayIndex);
  return { evaluated: true, findings };
}

/**
 * The baseline, fitted once per series on the history before the days being judged (so an
 * anomaly never dilutes its own baseline), and extrapolated over them.
 */
function fitModel(dense: Dense, from: number, to: number, settings: AnomalySettings): Model {
  const startDow = dayOfWeek(dense.start);
  const dayOf = (index: number) => (startDow + index) % 7;
  const count = to - from;
  let activeCount = 0;
  for (let index = from; index < to; index++) if (dense.events[index]! > 0) activeCount++;
  const intermittent = activeCount < 0.6 * count;
  if (intermittent) return fitIntermittent(dense, from, to, activeCount, settings);
  const weekly = count >= 21;
  const factors = [1, 1, 1, 1, 1, 1, 1];
  if (weekly) {
    const byDay: number[][] = [[], [], [], [], [], [], []];
    for (let index = from; index < to; index++) byDay[dayOf(index)]!.push(dense.quantity[index]!);
    const medians = byDay.map((list) => (list.length >= 2 ? median(list) : Number.NaN));
    const known = medians.filter((value) => Number.isFinite(value));
    const average = known.length > 0 ? sum(known) / known.length : 0;
    if (average > 0) for (let day = 0; day < 7; day++) factors[day] = Number.isFinite(medians[day]!) ? Math.min(medians[day]! / average, 10) : 1;
  }
  const adjusted = (index: number) => {
    const factor = factors[dayOf(index)]!;
    return factor > 0.05 ? dense.quantity[index]! / factor : Number.NaN;
  };
  const recentFrom = Math.max(from, to - recentWindowDays);
  const recent = collect(recentFrom, to, adjusted);
  const level = recent.length > 0 ? median(recent) : 0;
  const recentCenter = (recentFrom + to - 1) / 2;
  let slope = 0;
  const olderFrom = Math.max(from, to - 2 * recentWindowDays);
  if (recentFrom - olderFrom >= 7 && recent.length >= 7) {
    const older = collect(olderFrom, recentFrom, adjusted);
    if (older.length >= 7) slope = (level - median(older)) / (recentCenter - (olderFrom + recentFrom - 1) / 2);
  }
  const levelAt = (index: number) => Math.min(Math.max(level + slope * (index - recentCenter), 0.5 * level), 2 * level);
  const expected = (index: number) => levelAt(index) * factors[dayOf(index)]!;
  const residuals: number[] = [];
  for (let index = Math.max(from, to - 28); index < to; index++) residuals.push(dense.quantity[index]! - expected(index));
  const sigmaMad = madToSigma * mad(residuals);
  let totalQuantity = 0;
  let totalEvents = 0;
  for (let index = from; index < to; index++) {
    totalQuantity += dense.quantity[index]!;
    totalEvents += dense.events[index]!;
  }
  const eventsPerUnit = totalQuantity > 0 ? totalEvents / totalQuantity : 0;
  const all = collect(from, to, adjusted).sort((a, b) => a - b);
  const p10 = quantileSorted(all, 0.1);
  const p90 = quantileSorted(all, 0.9);
  const activeByDay = [0, 0, 0, 0, 0, 0, 0];
  const daysByDay = [0, 0, 0, 0, 0, 0, 0];
  for (let index = from; index < to; index++) {
    daysByDay[dayOf(index)]!++;
    if (dense.events[index]! > 0) activeByDay[dayOf(index)]!++;
  }
  const profile = hourProfile(dense, from, to, weekly ? dayOf : () => 0);
  return {
    expected,
    spikeBase: (index) => Math.max(expected(index), 0.25 * level),
    expectedEvents: (index) => expected(index) * eventsPerUnit,
    sigma: sigmaMad,
    p10: (index) => p10 * factors[dayOf(index)]!,
    p90: (index) => p90 * Math.max(factors[dayOf(index)]!, 0.25),
    activeShare: (index) => (weekly ? activeByDay[dayOf(index)]! / Math.max(daysByDay[dayOf(index)]!, 1) : activeCount / Math.max(count, 1)),
    intermittent: false,
    shareByHour: (index, hour) => profile(weekly ? dayOf(index) : 0, hour),
    baseline: { method: weekly ? "day_of_week" : "daily", historyDays: count, level, trendPerDay: slope, weekdayFactors: factors, sigma: sigmaMad, p10, p90, activeShare: activeCount / Math.max(count, 1), eventsPerUnit },
  };
}

/** Usage on a minority of days: judged against its active days only, and never a drop (pauses are its habit). */
function fitIntermittent(dense: Dense, from: number, to: number, activeCount: number, settings: AnomalySettings): Model {
  const values: number[] = [];
  const events: number[] = [];
  for (let index = from; index < to; index++) {
    if (dense.events[index]! > 0) {
      values.push(dense.quantity[index]!);
      events.push(dense.events[index]!);
    }
  }
  const level = values.length > 0 ? median(values) : 0;
  const levelEvents = events.length > 0 ? median(events) : 0;
  const sorted = [...values].sort((a, b) => a - b);
  const p90 = quantileSorted(sorted, 0.9);
  const sigmaMad = madToSigma * mad(values);
  const profile = hourProfile(dense, from, to, () => 0);
  void settings;
  return {
    expected: () => level,
    spikeBase: () => level,
    expectedEvents: () => levelEvents,
    sigma: sigmaMad,
    p10: () => 0,
    p90: () => p90,
    activeShare: () => activeCount / Math.max(to - from, 1),
    intermittent: true,
    shareByHour: (_index, hour) => profile(0, hour),
    baseline: { method: "daily", historyDays: to - from, level, trendPerDay: 0, weekdayFactors: [1, 1, 1, 1, 1, 1, 1], sigma: sigmaMad, p10: 0, p90, activeShare: activeCount / Math.max(to - from, 1), eventsPerUnit: level > 0 ? levelEvents / level : 0 },
  };
}

/** Share of a day's active hours before `hour`, per weekday group, from the active-hour bitmasks. */
function hourProfile(dense: Dense, from: number, to: number, groupOf: (index: number) => number): (group: number, hour: number) => number {
  const before: number[][] = Array.from({ length: 7 }, () => new Array<number>(25).fill(0));
  const totals = [0, 0, 0, 0, 0, 0, 0];
  for (let index = Math.max(from, to - 28); index < to; index++) {
    const mask = dense.masks[index]!;
    if (mask === 0) continue;
    const group = groupOf(index);
    totals[group]! += popcount(mask);
    for (let hour = 0; hour <= 24; hour++) before[group]![hour]! += bitsBefore(mask, hour);
  }
  return (group, hour) => {
    const total = totals[group]! > 0 ? totals[group]! : sum(totals);
    if (total === 0) return hour / 24;
    const counted = totals[group]! > 0 ? before[group]![hour]! : before.reduce((acc, row) => acc + row[hour]!, 0);
    return counted / total;
  };
}

function noiseFloor(sigmaMad: number, expected: number, expectedEvents: number, settings: AnomalySettings): number {
  const relative = settings["usage.noise_floor_ratio"] * expected;
  const poisson = expected / Math.sqrt(Math.max(expectedEvents, 1));
  return Math.max(sigmaMad, relative, poisson);
}

/** Excess events a spike must have whatever its size (the money gates come later, with prices). */
const spikeExcessEventsMin = 20;

function judgeDay(index: number, observed: number, observedEvents: number, model: Model, share: number, partial: boolean, settings: AnomalySettings): "usage_spike" | "usage_drop" | null {
  const expected = model.expected(index) * share;
  const expectedEvents = model.expectedEvents(index) * share;
  const base = model.spikeBase(index) * share;
  const sigma = noiseFloor(model.sigma * Math.sqrt(share), base, Math.max(expectedEvents, model.expectedEvents(index) * 0.25 * share), settings);
  if (
    observed > 0 &&
    observed >= settings["usage.spike_ratio"] * base &&
    observed - base >= settings["usage.spike_sigmas"] * sigma &&
    observed >= settings["usage.spike_guard_ratio"] * model.p90(index) * share &&
    (observedEvents - expectedEvents >= spikeExcessEventsMin || (observedEvents >= 30 && expectedEvents > 0 && observed / observedEvents >= settings["usage.spike_ratio"] * (expected / expectedEvents)))
  ) {
    return "usage_spike";
  }
  if (partial || model.intermittent) return null;
  const dropSigma = noiseFloor(model.sigma, expected, expectedEvents, settings);
  if (
    expectedEvents >= settings["usage.drop_min_expected_events"] &&
    model.activeShare(index) >= settings["usage.drop_min_active_share"] &&
    observed <= settings["usage.drop_ratio"] * expected &&
    expected - observed >= settings["usage.drop_sigmas"] * dropSigma &&
    observed <= 0.5 * model.p10(index)
  ) {
    return "usage_drop";
  }
  return null;
}

function collect(from: number, to: number, value: (index: number) => number): number[] {
  const values: number[] = [];
  for (let index = from; index < to; index++) {
    const each = value(index);
    if (Number.isFinite(each)) values.push(each);
  }
  return values;
}

function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function episodes(series: UsageSeries, dense: Dense, flags: Flag[], asOf: Date, todayIndex: number, model: Model): UsageFinding[] {
  const findings: UsageFinding[] = [];
  let current: Flag[] = [];
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0]!;
    const last = current[current.length - 1]!;
    const ongoing = last.index === todayIndex;
    const days = current.map((flag) => ({ day: addDays(dense.start, flag.index), observed: flag.observed, expected: flag.expected, sigma: model.sigma, share: flag.share }));
    const observed = sum(days.map((day) => day.observed));
    const expected = sum(days.map((day) => day.expected));
    findings.push({
      kind: first.kind,
      seriesKey: series.key,
      customerId: series.customerId,
      subject: series.subject,
      meterKey: series.meterKey,
      windowStart: dayStart(addDays(dense.start, first.index)),
      windowEnd: ongoing ? floorHour(asOf) : dayStart(addDays(dense.start, last.index + 1)),
      ongoing,
      observed,
      expected,
      observedEvents: sum(current.map((flag) => flag.observedEvents)),
      expectedEvents: sum(current.map((flag) => flag.expectedEvents)),
      ratio: expected > 0 ? observed / expected : Number.POSITIVE_INFINITY,
      days,
      stop: null,
      baseline: { ...model.baseline, p10: model.p10(first.index), p90: model.p90(first.index) },
    });
    current = [];
  };
  for (const flag of flags) {
    const previous = current[current.length - 1];
    if (previous && (previous.kind !== flag.kind || flag.index !== previous.index + 1)) flush();
    current.push(flag);
  }
  flush();
  return findings;
}

/**
 * Hours since the last event, judged against the same hours of the past weeks (or of past days
 * while the history is shorter than two weeks): each hour's chance of having events is the share
 * of those past hours that had them (at most 0.97, so one lucky streak cannot make silence
 * impossible), and the silence is "stopped" when its chance is under one in a million, it covers
 * `stop_min_expected_active_hours` of normally active hours and enough events were expected in it.
 */
function detectStop(dense: Dense, firstActive: number, asOf: Date, model: Model, settings: AnomalySettings): StopFinding | null {
  const todayIndex = dense.length - 1;
  const currentHour = asOf.getUTCHours();
  const absoluteNow = todayIndex * 24 + currentHour;
  let lastActive = -1;
  for (let hour = absoluteNow - 1; hour >= Math.max(0, absoluteNow - stopLookbackHoursMax - 24); hour--) {
    const mask = dense.masks[Math.floor(hour / 24)]!;
    if ((mask >>> (hour % 24)) & 1) {
      lastActive = hour;
      break;
    }
  }
  const silentFrom = lastActive >= 0 ? lastActive + 1 : absoluteNow - stopLookbackHoursMax;
  const silentHours = absoluteNow - silentFrom;
  if (silentHours < settings["usage.stop_min_hours"]) return null;
  if (model.intermittent || model.activeShare(todayIndex) < settings["usage.drop_min_active_share"] || model.expectedEvents(todayIndex) < settings["usage.drop_min_expected_events"]) return null;
  const firstHistoryDay = firstActive;
  const weeksAvailable = Math.floor((Math.floor(silentFrom / 24) - firstHistoryDay) / 7);
  let expectedActive = 0;
  let log10Chance = 0;
  for (let hour = silentFrom; hour < absoluteNow; hour++) {
    const day = Math.floor(hour / 24);
    const hourOfDay = hour % 24;
    const samples: number[] = [];
    if (weeksAvailable >= 2) {
      for (let week = 1; week <= 4; week++) {
        const past = day - 7 * week;
        if (past >= firstHistoryDay && past < Math.floor(silentFrom / 24)) samples.push((dense.masks[past]! >>> hourOfDay) & 1);
      }
    } else {
      for (let past = Math.max(firstHistoryDay, day - 14); past < Math.floor(silentFrom / 24); past++) samples.push((dense.masks[past]! >>> hourOfDay) & 1);
    }
    if (samples.length === 0) continue;
    const chance = Math.min(sum(samples) / samples.length, 0.97);
    expectedActive += chance;
    log10Chance += Math.log10(1 - chance);
  }
  const activeHoursPerDay = Math.max(1, averageActiveHours(dense, firstActive, Math.floor(silentFrom / 24)));
  const expectedEvents = (model.expectedEvents(todayIndex) * expectedActive) / activeHoursPerDay;
  if (expectedActive < settings["usage.stop_min_expected_active_hours"] || log10Chance > stopChanceMaxLog10 || expectedEvents < stopMinExpectedEvents) return null;
  return {
    lastActiveAt: lastActive >= 0 ? new Date(Date.parse(`${dense.start}T00:00:00Z`) + (lastActive + 1) * hourMs) : null,
    silentHours,
    expectedActiveHours: expectedActive,
    log10ChanceOfSilence: log10Chance,
    expectedEvents,
  };
}

function averageActiveHours(dense: Dense, from: number, to: number): number {
  const days: number[] = [];
  for (let index = Math.max(from, to - 28); index < to; index++) if (dense.masks[index] !== 0) days.push(popcount(dense.masks[index]!));
  return days.length > 0 ? median(days) : 24;
}

/** The stop starts the current drop episode (or is the episode, when no whole day has dropped yet). */
function mergeStop(series: UsageSeries, dense: Dense, findings: UsageFinding[], stop: StopFinding, model: Model, asOf: Date, todayIndex: number): void {
  const startMs = Date.parse(`${dense.start}T00:00:00Z`);
  const silentStart = stop.lastActiveAt ?? new Date(floorHour(asOf).getTime() - stop.silentHours * hourMs);
  const ongoingDrop = findings.find((finding) => finding.kind === "usage_drop" && finding.windowEnd.getTime() >= silentStart.getTime() - hourMs);
  if (ongoingDrop) {
    if (silentStart < ongoingDrop.windowStart) {
      if (ongoingDrop.windowStart.getTime() - silentStart.getTime() < dayMs) {
        const leadIndex = Math.floor((silentStart.getTime() - startMs) / dayMs);
        const tail = Math.max(1 - model.shareByHour(leadIndex, silentStart.getUTCHours()), 0);
        ongoingDrop.expected += model.expected(leadIndex) * tail;
        ongoingDrop.expectedEvents += model.expectedEvents(leadIndex) * tail;
      }
      ongoingDrop.windowStart = silentStart;
    }
    ongoingDrop.windowEnd = floorHour(asOf);
    ongoingDrop.ongoing = true;
    ongoingDrop.ratio = ongoingDrop.expected > 0 ? ongoingDrop.observed / ongoingDrop.expected : 0;
    ongoingDrop.stop = stop;
    return;
  }
  // A stop within today (or since yesterday): the expected usage of the silent hours.
  const silentFromHour = Math.round((silentStart.getTime() - startMs) / hourMs);
  let expected = 0;
  for (let day = Math.floor(silentFromHour / 24); day <= todayIndex; day++) {
    const fromHour = day === Math.floor(silentFromHour / 24) ? silentFromHour % 24 : 0;
    const toHour = day === todayIndex ? asOf.getUTCHours() : 24;
    expected += model.expected(day) * Math.max(model.shareByHour(day, toHour) - model.shareByHour(day, fromHour), 0);
  }
  findings.push({
    kind: "usage_drop",
    seriesKey: series.key,
    customerId: series.customerId,
    subject: series.subject,
    meterKey: series.meterKey,
    windowStart: silentStart,
    windowEnd: floorHour(asOf),
    ongoing: true,
    observed: 0,
    expected,
    observedEvents: 0,
    expectedEvents: stop.expectedEvents,
    ratio: 0,
    days: [],
    stop,
    baseline: { ...model.baseline, p10: model.p10(todayIndex), p90: model.p90(todayIndex) },
  });
}

function floorHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / hourMs) * hourMs);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
