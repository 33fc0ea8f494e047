import type { Db } from "@/db/client";
import { nameAccounts } from "../account-names";
import { readBalancesBefore } from "../balances";
import { dayMs, parseDate, type Report, type ReportRow } from "../report-model";

export type TrialBalanceReportInput = { asOf: string; hideZero?: boolean; group?: string };

/**
 * Every account's posted balance at the end of a day (UTC), with human names, subtotals per chart
 * group and currency, and the debit and credit totals per currency (which are always equal).
 * Zero balances are hidden unless asked for.
 */
export async function getTrialBalanceReport(db: Db, input: TrialBalanceReportInput): Promise<Report> {
  const asOf = parseDate(input.asOf, "As of");
  const before = new Date(asOf.getTime() + dayMs);
  const balances = await readBalancesBefore(db, before);
  const names = await nameAccounts(db, balances);
  const hideZero = input.hideZero ?? true;
  type Line = { group: string; name: string; code: string; accountId: string; kind: string; currency: string; debit: bigint; credit: bigint };
  const lines: Line[] = [];
  for (const account of balances) {
    const net = account.debits - account.credits;
    if (hideZero && net === 0n) continue;
    const named = names.get(account.accountId)!;
    if (input.group && named.group !== input.group) continue;
    lines.push({ group: named.group, name: named.name, code: account.code, accountId: account.accountId, kind: account.kind, currency: account.currency, debit: net > 0n ? net : 0n, credit: net < 0n ? -net : 0n });
  }
  const groupOrder = ["Cash", "Receivables", "Unbilled usage", "Credit grants", "Revenue", "Expenses", "Other"];
  lines.sort((a, b) => a.currency.localeCompare(b.currency) || groupOrder.indexOf(a.group) - groupOrder.indexOf(b.group) || a.name.localeCompare(b.name));
  const rows: ReportRow[] = [];
  const drillTo = before.toISOString();
  const totals = new Map<string, { debit: bigint; credit: bigint }>();
  for (let index = 0; index < lines.length; ) {
    const { currency, group } = lines[index]!;
    let debit = 0n;
    let credit = 0n;
    for (; index < lines.length && lines[index]!.currency === currency && lines[index]!.group === group; index++) {
      const line = lines[index]!;
      debit += line.debit;
      credit += line.credit;
      const drill = { from: "2000-01-01T00:00:00.000Z", to: drillTo, accountId: line.accountId, label: line.name };
      rows.push({
        cells: { group: line.group, account: line.name, code: line.code, kind: line.kind, currency, debit: line.debit, credit: line.credit },
        drill: { debit: drill, credit: drill },
        href: `/ledger/accounts/${line.accountId}`,
      });
    }
    rows.push({ cells: { group, account: `Subtotal ${group}`, code: "", kind: "", currency, debit, credit }, subtotal: true });
    const total = totals.get(currency) ?? { debit: 0n, credit: 0n };
    total.debit += debit;
    total.credit += credit;
    totals.set(currency, total);
  }
  for (const [currency, total] of totals) {
    rows.push({ cells: { group: "", account: `Total ${currency.toUpperCase()}`, code: "", kind: "", currency, debit: total.debit, credit: total.credit }, subtotal: true });
  }
  return {
    key: "trial-balance",
    title: "Trial balance",
    parameters: [
      { label: "As of", value: `end of ${input.asOf} (UTC)` },
      { label: "Zero balances", value: hideZero ? "hidden" : "shown" },
      ...(input.group ? [{ label: "Group", value: input.group }] : []),
    ],
    columns: [
      { key: "group", label: "Group", type: "text" },
      { key: "account", label: "Account", type: "text" },
      { key: "code", label: "Code", type: "text" },
      { key: "kind", label: "Kind", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "debit", label: "Debit", type: "money" },
      { key: "credit", label: "Credit", type: "money" },
    ],
    rows,
    reconciliation: [...totals].map(([currency, total]) => ({ label: "Debits equal credits", currency, report: total.debit, ledger: total.credit })),
  };
}
