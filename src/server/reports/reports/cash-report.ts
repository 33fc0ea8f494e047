import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { readBalancesBefore } from "../balances";
import { ts } from "../ledger-sql";
import { parseDateRange, type Report, type ReportRow } from "../report-model";
import { getCashPayoutsReport } from "./cash-payouts-report";

export type CashReportInput = { from: string; to: string; granularity?: "day" | "month" | "payout" };

/** Every cash account: the Stripe balance (`cash:stripe…`, a clearing account) and the bank (`cash:bank…`). */
export const cashCodeLike = "cash:%";
export const stripeFeesCodeLike = "expense:stripe_fees%";

type Line = { period: string; currency: string; payments: bigint; refunds: bigint; fees: bigint; other: bigint; net: bigint; paidOut: bigint; count: number };
const emptyLine = (period: string, currency: string): Line => ({ period, currency, payments: 0n, refunds: 0n, fees: 0n, other: 0n, net: 0n, paidOut: 0n, count: 0 });

/**
 * Cash collected and refunded per day or month, from the cash accounts: payments (Dr cash:stripe),
 * refunds (Cr cash:stripe), Stripe's fees (a payout moves the gross out of cash:stripe, the net into
 * cash:bank: what leaves cash is the fee) and anything else that moved cash (reversals). "Paid out
 * to bank" is the net of payouts that arrived (a move between two cash accounts, not a change in
 * cash). Net cash equals the change in the cash accounts between the trial balances. By `payout`:
 * one row per Stripe payout (see cash-payouts-report.ts).
 */
export async function getCashReport(db: Db, input: CashReportInput): Promise<Report> {
  if (input.granularity === "payout") return getCashPayoutsReport(db, { from: input.from, to: input.to });
  const range = parseDateRange(input.from, input.to);
  const granularity = input.granularity ?? "day";
  const bucket = granularity === "day" ? "YYYY-MM-DD" : "YYYY-MM";
  const rows = await executeRows<{ period: string; currency: string; kind: string; bank: boolean; debits: string; credits: string; count: number }>(
    db,
    sql`select to_char(e.effective_at at time zone 'UTC', ${bucket}) as period, e.currency, t.kind, a.code like 'cash:bank%' as bank,
          coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as debits, coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::text as credits,
          count(distinct e.transaction_id)::int as count
        from ledger_entries e
        join ledger_accounts a on a.id = e.account_id and a.code like ${cashCodeLike}
        join ledger_transactions t on t.id = e.transaction_id
        where e.phase = 'posted' and e.effective_at >= ${ts(range.from)} and e.effective_at < ${ts(range.to)}
        group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
  );
  const lines = new Map<string, Line>();
  for (const row of rows) {
    const key = `${row.period}|${row.currency}`;
    const line = lines.get(key) ?? emptyLine(row.period, row.currency);
    const net = BigInt(row.debits) - BigInt(row.credits);
    if (row.kind === "payment" && !row.bank) {
      line.payments += net;
      line.count += Number(row.count);
    } else if (row.kind === "refund" && !row.bank) line.refunds -= net;
    else if (row.kind === "payout") {
      // Out of cash:stripe the gross, into cash:bank the net: together, minus the fees.
      line.fees -= net;
      if (row.bank) line.paidOut += net;
    } else line.other += net;
    line.net += net;
    lines.set(key, line);
  }
  const reportRows: ReportRow[] = [];
  const totals = new Map<string, Line>();
  for (const line of lines.values()) {
    const start = granularity === "day" ? new Date(`${line.period}T00:00:00Z`) : new Date(`${line.period}-01T00:00:00Z`);
    const end = granularity === "day" ? new Date(start.getTime() + 86_400_000) : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const drill = (codeLike: string, kinds?: string[]) => ({ from: start.toISOString(), to: end.toISOString(), codeLike, ...(kinds ? { kinds } : {}), label: `cash ${line.period}` });
    reportRows.push({
      cells: cellsOf(line, line.period),
      drill: {
        payments: drill("cash:stripe%", ["payment"]),
        refunds: drill("cash:stripe%", ["refund"]),
        fees: drill(stripeFeesCodeLike, ["payout"]),
        other: drill(cashCodeLike),
        net: drill(cashCodeLike),
        paidOut: drill("cash:bank%", ["payout"]),
      },
    });
    const total = totals.get(line.currency) ?? emptyLine("", line.currency);
    for (const field of ["payments", "refunds", "fees", "other", "net", "paidOut"] as const) total[field] += line[field];
    total.count += line.count;
    totals.set(line.currency, total);
  }
  for (const total of totals.values()) reportRows.push({ cells: cellsOf(total, `Total ${total.currency.toUpperCase()}`), subtotal: true });
  const [opening, closing, feesOpening, feesClosing] = await Promise.all([
    readBalancesBefore(db, range.from, { codeLike: cashCodeLike }),
    readBalancesBefore(db, range.to, { codeLike: cashCodeLike }),
    readBalancesBefore(db, range.from, { codeLike: stripeFeesCodeLike }),
    readBalancesBefore(db, range.to, { codeLike: stripeFeesCodeLike }),
  ]);
  const balance = (list: typeof opening, currency: string) => list.filter((row) => row.currency === currency).reduce((sum, row) => sum + row.debits - row.credits, 0n);
  const currencies = [...new Set([...totals.keys(), ...closing.map((row) => row.currency)])].sort();
  const feeCurrencies = [...new Set([...feesClosing.map((row) => row.currency)])].sort();
  return {
    key: "cash",
    title: "Cash",
    parameters: [
      { label: "Period", value: `${range.fromDate} to ${range.toDate}` },
      { label: "By", value: granularity },
    ],
    columns: [
      { key: "period", label: granularity === "day" ? "Day" : "Month", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "payments", label: "Payments collected", type: "money" },
      { key: "count", label: "Payments", type: "integer" },
      { key: "refunds", label: "Refunds", type: "money" },
      { key: "fees", label: "Stripe fees", type: "money" },
      { key: "other", label: "Other cash movements", type: "money" },
      { key: "net", label: "Net cash", type: "money" },
      { key: "paidOut", label: "Paid out to bank", type: "money" },
    ],
    rows: reportRows,
    reconciliation: [
      ...currencies.map((currency) => ({ label: "Net cash = change in cash accounts (Stripe and bank)", currency, report: totals.get(currency)?.net ?? 0n, ledger: balance(closing, currency) - balance(opening, currency) })),
      ...feeCurrencies.map((currency) => ({ label: "Stripe fees = change in the Stripe fees expense", currency, report: totals.get(currency)?.fees ?? 0n, ledger: balance(feesClosing, currency) - balance(feesOpening, currency) })),
    ],
    chart: {
      type: "bar",
      x: "period",
      series: ["payments", "refunds"],
      currency: "usd",
      rows: [...lines.values()].filter((line) => line.currency === "usd").map((line) => ({ period: line.period, payments: Number(line.payments / 10_000n) / 100, refunds: Number(line.refunds / 10_000n) / 100 })),
    },
    notes: [
      "Payments and refunds are dated when Stripe reported them; fees and what was paid out to the bank when each Stripe payout arrived. Choose By: Stripe payout to see which payments each payout carried.",
    ],
  };
}

function cellsOf(line: Line, period: string): ReportRow["cells"] {
  return { period, currency: line.currency, payments: line.payments, count: line.count, refunds: line.refunds, fees: line.fees, other: line.other, net: line.net, paidOut: line.paidOut };
}
