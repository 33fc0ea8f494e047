import type { ReportKey } from "@/server/reports/report-model";
import type { ReportField } from "./report-form";

const today = () => new Date().toISOString().slice(0, 10);
const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};
const lastMonthRange = () => {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
};

export type ReportPage = { key: ReportKey; title: string; description: string; fields: ReportField[]; defaults: () => Record<string, string> };

const period: ReportField[] = [
  { name: "from", label: "From", type: "date" },
  { name: "to", label: "To (inclusive)", type: "date" },
];

/** The console's report pages: their inputs and what each shows. */
export const reportPages: ReportPage[] = [
  {
    key: "revenue",
    title: "Revenue",
    description: "Recognised revenue by month, plan and product: subscription, usage and overage, less discounts and promotional credits.",
    fields: [
      { name: "from", label: "From month", type: "month" },
      { name: "to", label: "To month (inclusive)", type: "month" },
    ],
    defaults: () => ({ from: lastMonth(), to: lastMonth() }),
  },
  {
    key: "aging",
    title: "Receivables and aging",
    description: "Open invoices per customer by days past due, with their dunning state, as of any date.",
    fields: [{ name: "asOf", label: "As of (end of day)", type: "date" }],
    defaults: () => ({ asOf: today() }),
  },
  {
    key: "cash",
    title: "Cash",
    description: "Payments collected and refunds, by day or month, with Stripe's fees and what was paid out to the bank; or per Stripe payout.",
    fields: [
      ...period,
      {
        name: "granularity",
        label: "By",
        type: "select",
        options: [
          { value: "day", label: "Day" },
          { value: "month", label: "Month" },
          { value: "payout", label: "Stripe payout" },
        ],
      },
    ],
    defaults: () => ({ ...lastMonthRange(), granularity: "day" }),
  },
  {
    key: "credits",
    title: "Credits liability",
    description: "Outstanding credit by category, what was granted, used and expired in the period, and what expires in the next 30, 60 and 90 days.",
    fields: period,
    defaults: lastMonthRange,
  },
  {
    key: "promotions",
    title: "Promotions cost",
    description: "Credits, discounts and allowances each promotion gave, valued in money.",
    fields: period,
    defaults: lastMonthRange,
  },
  {
    key: "adjustments",
    title: "Adjustments",
    description: "Reversals, write-offs, credit notes and refunds, with who and why.",
    fields: [
      ...period,
      {
        name: "kind",
        label: "Kind",
        type: "select",
        options: [
          { value: "", label: "All kinds" },
          { value: "reversal", label: "Reversals" },
          { value: "write_off", label: "Write-offs" },
          { value: "adjustment", label: "Adjustments" },
          { value: "refund", label: "Refunds" },
        ],
      },
    ],
    defaults: lastMonthRange,
  },
  {
    key: "statement",
    title: "Customer statement",
    description: "One customer's invoices, payments, credits and balance over a period, to send to them.",
    fields: [{ name: "customer", label: "Customer external id", type: "text", placeholder: "usr_0001_…" }, ...period],
    defaults: () => ({ customer: "", ...lastMonthRange() }),
  },
  {
    key: "trial-balance",
    title: "Trial balance",
    description: "Every account's balance at the end of a day, with subtotals by group.",
    fields: [
      { name: "asOf", label: "As of (end of day)", type: "date" },
      { name: "hideZero", label: "Hide zero balances", type: "checkbox" },
    ],
    defaults: () => ({ asOf: today(), hideZero: "true" }),
  },
];
