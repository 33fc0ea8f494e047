import { DomainError } from "@/server/errors";

/** A calendar month in UTC, half-open [start, end); `key` is `YYYY-MM`. */
export type Month = { key: string; start: Date; end: Date };

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthFromKey(key: string): Month {
  const match = monthPattern.exec(key);
  if (!match) throw new DomainError("invalid", "month_invalid", `"${key.slice(0, 40)}" is not a month; give it as YYYY-MM, e.g. 2026-03.`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  if (year < 2000 || year > 2999) throw new DomainError("invalid", "month_invalid", "Give a month between 2000-01 and 2999-12.");
  return monthAt(new Date(Date.UTC(year, index, 1)));
}

/** The month containing `at`. */
export function monthAt(at: Date): Month {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { key: start.toISOString().slice(0, 7), start, end };
}

export function nextMonth(month: Month): Month {
  return monthAt(month.end);
}

export function previousMonth(month: Month): Month {
  return monthAt(new Date(month.start.getTime() - 1));
}
