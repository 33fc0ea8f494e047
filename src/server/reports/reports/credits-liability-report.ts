import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { readBalancesBefore } from "../balances";
import { readActivity } from "../read-activity";
import { dayMs, parseDateRange, type Report, type ReportRow } from "../report-model";

export type CreditsLiabilityReportInput = { from: string; to: string };

const amountKeys = ["opening", "granted", "burned", "expired", "other", "closing", "expiring30", "expiring60", "expiring90", "later"] as const;
type Amounts = Record<(typeof amountKeys)[number], bigint>;

/**
 * Outstanding credit (the grant accounts, a liability) by category — paid, promotional, goodwill —
 * rolled forward over the period: opening + granted − burned − expired (breakage for paid credit)
 * ± other (reversals) = closing; and what of the closing balance expires within 30, 60 and 90
 * days of the period's end. The closing total is the grant accounts' balance in the trial balance.
 */
export async function getCreditsLiabilityReport(db: Db, input: CreditsLiabilityReportInput): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const [opening, closing, activity] = await Promise.all([
    readBalancesBefore(db, range.from, { codeLike: "customer:%:grant:%" }),
    readBalancesBefore(db, range.to, { codeLike: "customer:%:grant:%" }),
    readActivity(db, range.from, range.to, { codeLikes: ["customer:%:grant:%"] }),
  ]);
  const grants = await executeRows<{ account_id: string; category: string; expires_at_ms: string | null }>(
    db,
    sql`select ledger_account_id as account_id, category, (extract(epoch from expires_at) * 1000)::int8::text as expires_at_ms from credit_grants where ledger_account_id is not null`,
  );
  const grantByAccount = new Map(grants.map((grant) => [grant.account_id, grant]));
  const lines = new Map<string, Amounts & { category: string; currency: string }>();
  const line = (accountId: string, currency: string) => {
    const category = grantByAccount.get(accountId)?.category ?? "uncategorised";
    const key = `${currency}|${category}`;
    let found = lines.get(key);
    if (!found) {
      found = { category, currency, ...(Object.fromEntries(amountKeys.map((k) => [k, 0n])) as Amounts) };
      lines.set(key, found);
    }
    return found;
  };
  for (const row of opening) line(row.accountId, row.currency).opening += row.credits - row.debits;
  for (const row of activity) {
    const target = line(row.accountId, row.currency);
    const net = row.credits - row.debits;
    if (row.transactionKind === "credit_grant") target.granted += net;
    else if (row.transactionKind === "credit_burn") target.burned -= net;
    else if (row.transactionKind === "credit_expiry") target.expired -= net;
    else target.other += net;
  }
  for (const row of closing) {
    const target = line(row.accountId, row.currency);
    const balance = row.credits - row.debits;
    target.closing += balance;
    if (balance === 0n) continue;
    const expiresMs = grantByAccount.get(row.accountId)?.expires_at_ms;
    const days = expiresMs ? (Number(expiresMs) - range.to.getTime()) / dayMs : Infinity;
    if (days <= 30) target.expiring30 += balance;
    else if (days <= 60) target.expiring60 += balance;
    else if (days <= 90) target.expiring90 += balance;
    else target.later += balance;
  }
  const order = ["paid", "promotional", "goodwill", "uncategorised"];
  const sorted = [...lines.values()].sort((a, b) => a.currency.localeCompare(b.currency) || order.indexOf(a.category) - order.indexOf(b.category));
  const rows: ReportRow[] = [];
  const totals = new Map<string, Amounts>();
  const drill = (kinds?: string[]) => ({ from: range.from.toISOString(), to: range.to.toISOString(), codeLike: "customer:%:grant:%", ...(kinds ? { kinds } : {}) });
  for (const item of sorted) {
    const { category, currency, ...amounts } = item;
    rows.push({
      cells: { category, currency, ...amounts },
      drill: { granted: drill(["credit_grant"]), burned: drill(["credit_burn"]), expired: drill(["credit_expiry"]), other: drill(["reversal", "adjustment"]) },
    });
    const total = totals.get(currency) ?? (Object.fromEntries(amountKeys.map((k) => [k, 0n])) as Amounts);
    for (const key of amountKeys) total[key] += amounts[key];
    totals.set(currency, total);
  }
  for (const [currency, total] of totals) rows.push({ cells: { category: `Total ${currency.toUpperCase()}`, currency, ...total }, subtotal: true });
  return {
    key: "credits",
    title: "Credits liability",
    parameters: [{ label: "Period", value: `${range.fromDate} to ${range.toDate}` }],
    columns: [
      { key: "category", label: "Category", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "opening", label: "Opening", type: "money" },
      { key: "granted", label: "Granted", type: "money" },
      { key: "burned", label: "Burned (used)", type: "money" },
      { key: "expired", label: "Expired (breakage)", type: "money" },
      { key: "other", label: "Other (reversals)", type: "money" },
      { key: "closing", label: "Closing", type: "money" },
      { key: "expiring30", label: "Expires ≤ 30 days", type: "money" },
      { key: "expiring60", label: "31–60 days", type: "money" },
      { key: "expiring90", label: "61–90 days", type: "money" },
      { key: "later", label: "Later or never", type: "money" },
    ],
    rows,
    reconciliation: [...totals].flatMap(([currency, total]) => [
      { label: "Closing = grant accounts in the trial balance", currency, report: total.closing, ledger: closing.filter((row) => row.currency === currency).reduce((sum, row) => sum + row.credits - row.debits, 0n) },
      { label: "Opening + granted − burned − expired + other = closing", currency, report: total.opening + total.granted - total.burned - total.expired + total.other, ledger: total.closing },
    ]),
    notes: ["Expiry buckets count from the end of the period."],
  };
}
