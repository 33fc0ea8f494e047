import { DomainError } from "@/server/errors";

/**
 * The one shape every finance report takes, so the console renders, drills into and exports
 * (CSV, XLSX, the close package) any of them the same way. Money is bigint micro-units of the
 * row's `currency` cell; dates are `YYYY-MM-DD` strings (UTC).
 */
export const reportKeys = ["trial-balance", "revenue", "aging", "cash", "credits", "promotions", "adjustments", "statement"] as const;
export type ReportKey = (typeof reportKeys)[number];

export type ReportColumnType = "text" | "money" | "date" | "integer";
export type ReportColumn = { key: string; label: string; type: ReportColumnType };
export type ReportCell = string | bigint | number | null;

/** The ledger postings behind one number: entries effective in [from, to) on the accounts named, of the kinds named. */
export type DrillSpec = {
  from: string;
  to: string;
  /** SQL LIKE pattern on account codes (`revenue:%`), or one account. */
  codeLike?: string;
  accountId?: string;
  kinds?: string[];
  /** Only transactions of invoices on this plan. */
  planKey?: string;
  customerId?: string;
  label?: string;
};

export type ReportRow = {
  cells: Record<string, ReportCell>;
  /** Per money column, the postings behind the number. */
  drill?: Record<string, DrillSpec>;
  /** A subtotal or total line (bold in the page, labelled in exports). */
  subtotal?: boolean;
  /** A link for the row's first column (a customer, an invoice). */
  href?: string;
};

/** One figure of the report next to the same figure read from the trial balance of the same date(s). */
export type Reconciliation = { label: string; currency: string; report: bigint; ledger: bigint };

export type ReportChart = { type: "bar" | "line"; x: string; series: string[]; currency: string; rows: Array<Record<string, string | number>> };

export type Report = {
  key: ReportKey;
  title: string;
  /** The inputs as a person reads them ("As of 2026-03-31"). */
  parameters: Array<{ label: string; value: string }>;
  columns: ReportColumn[];
  rows: ReportRow[];
  reconciliation: Reconciliation[];
  chart?: ReportChart;
  notes?: string[];
};

export const reportLimits = {
  /** Longest period a report covers. */
  rangeDaysMax: 731,
  rowsMax: 50_000,
} as const;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` → midnight UTC, with a message a person can act on. */
export function parseDate(value: string, field: string): Date {
  if (!datePattern.test(value)) throw new DomainError("invalid", "date_invalid", `${field}: give a date as YYYY-MM-DD, e.g. 2026-03-31.`, { field });
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new DomainError("invalid", "date_invalid", `${field}: ${value} is not a calendar date.`, { field });
  }
  if (date.getUTCFullYear() < 2000 || date.getUTCFullYear() > 2999) throw new DomainError("invalid", "date_invalid", `${field}: give a date between 2000 and 2999.`, { field });
  return date;
}

export const dayMs = 86_400_000;

/** An inclusive range of dates → the half-open instants [from, to + 1 day), checked. */
export function parseDateRange(from: string, to: string): { from: Date; to: Date; fromDate: string; toDate: string } {
  const start = parseDate(from, "From");
  const end = parseDate(to, "To");
  if (end.getTime() < start.getTime()) throw new DomainError("invalid", "range_reversed", `The range is reversed: ${from} is after ${to}. Put the earlier date first.`, { field: "to" });
  const days = (end.getTime() - start.getTime()) / dayMs + 1;
  if (days > reportLimits.rangeDaysMax) {
    throw new DomainError("too_large", "range_too_long", `The range covers ${days} days; a report covers at most ${reportLimits.rangeDaysMax} (two years). Shorten it.`, { field: "to" });
  }
  return { from: start, to: new Date(end.getTime() + dayMs), fromDate: from, toDate: to };
}

/** Formats an instant as the date it is in (UTC). */
export function dateOf(value: Date): string {
  return value.toISOString().slice(0, 10);
}

export function sumBy<T>(items: readonly T[], pick: (item: T) => bigint): bigint {
  let total = 0n;
  for (const item of items) total += pick(item);
  return total;
}
