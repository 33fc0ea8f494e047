import { z } from "zod";
import type { Db } from "@/db/client";
import { getAdjustmentsReport } from "./reports/adjustments-report";
import { getAgingReport } from "./reports/aging-report";
import { getCashReport } from "./reports/cash-report";
import { getCreditsLiabilityReport } from "./reports/credits-liability-report";
import { getCustomerStatement } from "./reports/customer-statement";
import { getPromotionsCostReport } from "./reports/promotions-cost-report";
import { getRevenueReport } from "./reports/revenue-report";
import { getTrialBalanceReport } from "./reports/trial-balance-report";
import type { Report, ReportKey } from "./report-model";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Give a date as YYYY-MM-DD, e.g. 2026-03-31.");
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Give a month as YYYY-MM, e.g. 2026-03.");
const flag = z.union([z.boolean(), z.enum(["true", "false", "1", "0", "on"]).transform((value) => value === "true" || value === "1" || value === "on")]);
const currency = z.string().regex(/^[a-z]{3}$/, "A currency is a lower-case ISO code such as usd.");
const key = z.string().min(1).max(100);

/** Input of each report, as the console, the tRPC API and the export URLs give it (strings from a query string parse too). */
export const reportInputSchemas = {
  "trial-balance": z.object({ asOf: date, hideZero: flag.optional(), group: z.string().max(50).optional() }),
  revenue: z.object({ from: month, to: month, currency: currency.optional(), productKey: key.optional(), planKey: key.optional() }),
  aging: z.object({ asOf: date, customerId: z.uuid().optional() }),
  cash: z.object({ from: date, to: date, granularity: z.enum(["day", "month", "payout"]).optional() }),
  credits: z.object({ from: date, to: date }),
  promotions: z.object({ from: date, to: date }),
  adjustments: z.object({ from: date, to: date, kind: z.enum(["reversal", "write_off", "adjustment", "refund"]).optional() }),
  statement: z.object({ customerId: z.uuid("Choose a customer."), from: date, to: date }),
} satisfies Record<ReportKey, z.ZodType>;

export type ReportInput<K extends ReportKey> = z.output<(typeof reportInputSchemas)[K]>;

const runners: { [K in ReportKey]: (db: Db, input: ReportInput<K>) => Promise<Report> } = {
  "trial-balance": getTrialBalanceReport,
  revenue: getRevenueReport,
  aging: getAgingReport,
  cash: getCashReport,
  credits: getCreditsLiabilityReport,
  promotions: getPromotionsCostReport,
  adjustments: getAdjustmentsReport,
  statement: getCustomerStatement,
};

export function runReport<K extends ReportKey>(db: Db, key: K, input: ReportInput<K>): Promise<Report> {
  return runners[key](db, input);
}

export const reportTitles: Record<ReportKey, string> = {
  "trial-balance": "Trial balance",
  revenue: "Revenue",
  aging: "Receivables and aging",
  cash: "Cash",
  credits: "Credits liability",
  promotions: "Promotions cost",
  adjustments: "Adjustments",
  statement: "Customer statement",
};
