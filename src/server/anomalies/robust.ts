/**
 * Robust statistics for baselines. Detection works on `number` (float): it compares usage with
 * its own history, it never computes money (impact is rated with the pricing engine's exact
 * decimals from exact quantities, see rate-impact.ts).
 */

/** MAD × 1.4826 estimates the standard deviation of normal data. */
export const madToSigma = 1.4826;

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (type 7); NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(Math.max(q, 0), 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (position - lower);
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}

/** Day of week of a `YYYY-MM-DD` UTC day: 0 = Sunday. */
export function dayOfWeek(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

export const dayMs = 86_400_000;
export const hourMs = 3_600_000;

export function dayString(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayString(new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs));
}

export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function popcount(mask: number): number {
  let count = 0;
  let rest = mask >>> 0;
  while (rest !== 0) {
    rest &= rest - 1;
    count++;
  }
  return count;
}

/** Bits of `mask` below `hour` (hours 0 … hour-1 of the day). */
export function bitsBefore(mask: number, hour: number): number {
  if (hour <= 0) return 0;
  if (hour >= 24) return popcount(mask);
  return popcount(mask & ((1 << hour) - 1));
}
