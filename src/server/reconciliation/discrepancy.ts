import { Decimal } from "@/server/pricing/decimal";

/** Every kind of discrepancy: which two books disagree. See README.md for what to do about each. */
export const discrepancyKinds = [
  "events_rollups",
  "rollups_invoices",
  "invoice_ledger",
  "invoice_stripe",
  "stripe_cash",
  "receivable_open_invoices",
  "grant_balance",
] as const;
export type DiscrepancyKind = (typeof discrepancyKinds)[number];

export const discrepancyKindLabels: Record<DiscrepancyKind, string> = {
  events_rollups: "Raw events ↔ hourly rollups",
  rollups_invoices: "Rollups ↔ billed usage on invoices",
  invoice_ledger: "Invoices ↔ ledger postings",
  invoice_stripe: "Tally invoices ↔ Stripe invoices",
  stripe_cash: "Stripe payments and refunds ↔ ledger cash",
  receivable_open_invoices: "Ledger receivable ↔ open invoices",
  grant_balance: "Grant ledger balances ↔ grants' remaining amounts",
};

export type DiscrepancyUnit = "micros" | "events" | "quantity" | "count";

/** One difference found by a run, before it is recorded. */
export type FoundDiscrepancy = {
  kind: DiscrepancyKind;
  /** Stable across runs for the same objects and field: `<kind>:<object ids>:<field>`. */
  key: string;
  customerId?: string | null;
  invoiceId?: string | null;
  objects: Record<string, string>;
  unit: DiscrepancyUnit;
  currency?: string | null;
  /** Exact decimal strings (micro-units for money). */
  expected: string;
  actual: string;
  description: string;
  periodStart?: Date | null;
  periodEnd?: Date | null;
};

export function differenceOf(found: Pick<FoundDiscrepancy, "expected" | "actual">): string {
  return new Decimal(found.actual).minus(found.expected).toFixed();
}

/** |actual − expected| in micro-units for money, 0 otherwise. */
export function amountMicrosOf(found: Pick<FoundDiscrepancy, "expected" | "actual" | "unit">): bigint {
  if (found.unit !== "micros") return 0n;
  return BigInt(new Decimal(found.actual).minus(found.expected).abs().toFixed(0));
}

/** The usage window a run checks. */
export type ReconciliationScope = { from: Date; to: Date; now: Date };
