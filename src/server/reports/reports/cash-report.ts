import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { readBalancesBefore } from "../balances";
import { ts } from "../ledger-sql";
import { parseDateRange, type Report, type ReportRow } from "../report-model";

export type CashReportInput = { from: string; to: string; granularity?: "day" | "month" };

/**
 * Cash collected and refunded per day or month, from the Stripe cash accounts (`cash:stripe…`):
 * payments (Dr cash), refunds (Cr cash) and anything else that moved cash (reversals, charges
 * outside invoices). Net cash equals the change in the cash accounts between the trial balances.
 */
export async function getCashReport(db: Db, input: CashReportInput): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const granularity = input.granularity ?? "day";
  const bucket = granularity === "day" ? "YYYY-MM-DD" : "YYYY-MM";
  const rows = await executeRows<{ period: string; currency: string; kind: string; debits: string; credits: string; count: number }>(
    db,
    sql`select to_char(e.effective_at at time zone 'UTC', ${bucket}) as period, e.currency, t.kind,
          coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as debits, coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::text as credits,
          count(distinct e.transaction_id)::int as count
        from ledger_entries e
        join ledger_accounts a on a.id = e.account_id and a.code like 'cash:stripe%'
        join ledger_transactions t on t.id = e.transaction_id
        where e.phase = 'posted' and e.effective_at >= ${ts(range.from)} and e.effective_at < ${ts(range.to)}
        group by 1, 2, 3 order by 1, 2, 3`,
  );
  type Line = { period: string; currency: string; payments: bigint; refunds: bigint; other: bigint; net: bigint; count: number };
  const lines = new Map<string, Line>();
  for (const row of rows) {
    const key = `${row.period}|${row.currency}`;
    const line = lines.get(key) ?? { period: row.period, currency: row.currency, payments: 0n, refunds: 0n, other: 0n, net: 0n, count: 0 };
    const net = BigInt(row.debits) - BigInt(row.credits);
    if (row.kind === "payment") {
      line.payments += net;
      line.count += Number(row.count);
    } else if (row.kind === "refund") line.refunds -= net;
    else line.other += net;
    line.net += net;
    lines.set(key, line);
  }
  const reportRows: ReportRow[] = [];
  const totals = new Map<string, Line>();
  for (const line of lines.values()) {
    const start = granularity === "day" ? new Date(`${line.period}T00:00:00Z`) : new Date(`${line.period}-01T00:00:00Z`);
    const end = granularity === "day" ? new Date(start.getTime() + 86_400_000) : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const drill = (kinds?: string[]) => ({ from: start.toISOString(), to: end.toISOString(), codeLike: "cash:stripe%", ...(kinds ? { kinds } : {}), label: `cash ${line.period}` });
    reportRows.push({
      cells: { period: line.period, currency: line.currency, payments: line.payments, count: line.count, refunds: line.refunds, other: line.other, net: line.net },
      drill: { payments: drill(["payment"]), refunds: drill(["refund"]), other: drill(), net: drill() },
    });
    const total = totals.get(line.currency) ?? { period: "", currency: line.currency, payments: 0n, refunds: 0n, other: 0n, net: 0n, count: 0 };
    total.payments += line.payments;
    total.refunds += line.refunds;
    total.other += line.other;
    total.net += line.net;
    total.count += line.count;
    totals.set(line.currency, total);
  }
  for (const total of totals.values()) {
    reportRows.push({ cells: { period: `Total ${total.currency.toUpperCase()}`, currency: total.currency, payments: total.payments, count: total.count, refunds: total.refunds, other: total.other, net: total.net }, subtotal: true });
  }
  const [opening, closing] = await Promise.all([readBalancesBefore(db, range.from, { codeLike: "cash:stripe%" }), readBalancesBefore(db, range.to, { codeLike: "cash:stripe%" })]);
  const balance = (list: typeof opening, currency: string) => list.filter((row) => row.currency === currency).reduce((sum, row) => sum + row.debits - row.credits, 0n);
  const currencies = new Set([...totals.keys(), ...closing.map((row) => row.currency)]);
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
      { key: "other", label: "Other cash movements", type: "money" },
      { key: "net", label: "Net cash", type: "money" },
    ],
    rows: reportRows,
    reconciliation: [...currencies].sort().map((currency) => ({ label: "Net cash = change in cash accounts", currency, report: totals.get(currency)?.net ?? 0n, ledger: balance(closing, currency) - balance(opening, currency) })),
    chart: {
      type: "bar",
      x: "period",
      series: ["payments", "refunds"],
      currency: "usd",
      rows: [...lines.values()].filter((line) => line.currency === "usd").map((line) => ({ period: line.period, payments: Number(line.payments / 10_000n) / 100, refunds: Number(line.refunds / 10_000n) / 100 })),
    },
    notes: ["Stripe payouts are not mirrored yet, so cash is shown by the date Stripe reported each payment or refund, not per payout."],
  };
}
