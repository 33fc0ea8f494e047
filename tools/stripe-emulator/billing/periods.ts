import type Stripe from "stripe";

export type Interval = Stripe.Price.Recurring.Interval;

const daySeconds = 86_400;

/** `anchor` moved by `count` intervals on the UTC calendar; month ends clamp (Jan 31 → Feb 28 → Mar 31), as Stripe does. */
export function addIntervals(anchor: number, interval: Interval, count: number): number {
  if (interval === "day") return anchor + count * daySeconds;
  if (interval === "week") return anchor + count * 7 * daySeconds;
  const months = interval === "month" ? count : count * 12;
  const date = new Date(anchor * 1000);
  const monthIndex = date.getUTCMonth() + months;
  const year = date.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) / 1000;
}

const periodsMax = 100_000;

/** The first period boundary strictly after `time`, counting whole intervals from `anchor` (which may lie in the future). */
export function nextBoundaryAfter(anchor: number, interval: Interval, intervalCount: number, time: number): number {
  if (anchor > time) return anchor;
  for (let index = 1; index <= periodsMax; index += 1) {
    const boundary = addIntervals(anchor, interval, index * intervalCount);
    if (boundary > time) return boundary;
  }
  throw new Error("billing period search exceeded its bound");
}

/** Minor units as "$20.00"-style text, with integer arithmetic only. */
export function formatAmount(amount: number, currency: string): string {
  const negative = amount < 0;
  const magnitude = Math.abs(amount);
  const text = `${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, "0")}`;
  const symbol = currency === "usd" ? "$" : `${currency.toUpperCase()} `;
  return `${negative ? "-" : ""}${symbol}${text}`;
}

export function formatDate(time: number): string {
  const date = new Date(time * 1000);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
