import type { BillingInterval } from "@/db/schema";

/** A half-open billing period [start, end). */
export type BillingPeriod = { start: Date; end: Date; index: number };

const maxPeriods = 12 * 1000;

/**
 * The anchor plus `count` intervals, as Stripe computes it: the same day of the month and time
 * of day as the anchor, clamped to the month's last day (an anchor on the 31st bills on
 * Feb 28/29, then on the 31st again). Calendar arithmetic in UTC.
 */
export function addIntervals(anchor: Date, interval: BillingInterval, count: number): Date {
  const months = interval === "year" ? count * 12 : count;
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      Math.min(anchor.getUTCDate(), lastDay),
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

/** The period that contains `at` (at ≥ anchor); period 0 starts at the anchor. */
export function periodContaining(anchor: Date, interval: BillingInterval, at: Date): BillingPeriod {
  if (at.getTime() < anchor.getTime()) return { start: anchor, end: addIntervals(anchor, interval, 1), index: 0 };
  const monthsPerPeriod = interval === "year" ? 12 : 1;
  const monthsApart = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  let index = Math.max(0, Math.floor(monthsApart / monthsPerPeriod) - 1);
  for (let step = 0; step < 4 && index < maxPeriods; step++) {
    const start = addIntervals(anchor, interval, index);
    const end = addIntervals(anchor, interval, index + 1);
    if (at.getTime() >= start.getTime() && at.getTime() < end.getTime()) return { start, end, index };
    index += 1;
  }
  throw new Error(`no period of ${anchor.toISOString()} contains ${at.toISOString()}`);
}

/** Every period that ended in (from, until], oldest first, bounded. */
export function periodsEndingBetween(anchor: Date, interval: BillingInterval, from: Date, until: Date, limit = 120): BillingPeriod[] {
  const result: BillingPeriod[] = [];
  let period = periodContaining(anchor, interval, from);
  while (result.length < limit && period.end.getTime() <= until.getTime()) {
    if (period.end.getTime() > from.getTime()) result.push(period);
    const next = addIntervals(anchor, interval, period.index + 2);
    period = { start: period.end, end: next, index: period.index + 1 };
  }
  return result;
}
