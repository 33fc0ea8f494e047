import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { DomainError } from "@/server/errors";
import { readBalancesBefore } from "../balances";
import { ts } from "../ledger-sql";
import { parseDateRange, reportLimits, type Report, type ReportRow } from "../report-model";

export type CustomerStatementInput = { customerId: string; from: string; to: string };

const kindLabels: Record<string, string> = {
  invoice: "Invoice",
  payment: "Payment received",
  refund: "Refund",
  credit_grant: "Credit granted",
  credit_burn: "Credit applied to usage",
  credit_expiry: "Credit expired",
  write_off: "Written off",
  adjustment: "Adjustment",
  reversal: "Reversal",
  usage_accrual: "Usage",
  proration: "Proration",
};

/**
 * One customer's statement for a period, for sending to them: opening balance owed, each invoice,
 * payment, refund and adjustment on their receivable, the credit they were granted and used, and
 * the closing balance owed and credit left. Reads the customer's accounts only (their snapshot
 * balances plus the entries since), so it stays fast on a large ledger.
 */
export async function getCustomerStatement(db: Db, input: CustomerStatementInput): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const [customer] = await executeRows<{ id: string; name: string; external_id: string; email: string }>(db, sql`select id, name, external_id, email from customers where id = ${input.customerId}`);
  if (!customer) throw new DomainError("not_found", "customer_not_found", "No such customer.");
  const accounts = await executeRows<{ id: string; code: string; currency: string }>(db, sql`select id, code, currency from ledger_accounts where customer_id = ${customer.id}`);
  const ids = accounts.map((account) => account.id);
  const [opening, closing] = ids.length === 0 ? [[], []] : await Promise.all([readBalancesBefore(db, range.from, { accountIds: ids }), readBalancesBefore(db, range.to, { accountIds: ids })]);
  const isReceivable = (code: string) => code.endsWith(":receivable");
  const isGrant = (code: string) => code.includes(":grant:");
  const sums = (list: typeof opening, pick: (code: string) => boolean, credit: boolean) => {
    const byCurrency = new Map<string, bigint>();
    for (const row of list) if (pick(row.code)) byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0n) + (credit ? row.credits - row.debits : row.debits - row.credits));
    return byCurrency;
  };
  const entries = ids.length === 0 ? [] : await executeRows<{ id: string; effective_at: string; kind: string; description: string; code: string; currency: string; amount: string; number: string | null }>(
    db,
    sql`select t.id, to_char(t.effective_at at time zone 'UTC', 'YYYY-MM-DD') as effective_at, t.kind, t.description, a.code, e.currency, e.amount::text, i.number
        from ledger_entries e
        join ledger_transactions t on t.id = e.transaction_id
        join ledger_accounts a on a.id = e.account_id
        left join invoices i on i.id = (case when t.invoice_id ~ '^[0-9a-fA-F-]{36}$' then t.invoice_id::uuid end)
        where e.account_id = any(${`{${ids.join(",")}}`}::uuid[]) and e.phase = 'posted'
          and e.effective_at >= ${ts(range.from)} and e.effective_at < ${ts(range.to)}
          and (a.code like '%:receivable' or a.code like '%:grant:%')
        order by t.effective_at, t.id, e.id
        limit ${reportLimits.rowsMax}`,
  );
  const openingOwed = sums(opening, isReceivable, false);
  const openingCredit = sums(opening, isGrant, true);
  const rows: ReportRow[] = [];
  const currencies = new Set([...openingOwed.keys(), ...sums(closing, isReceivable, false).keys(), ...sums(closing, isGrant, true).keys()]);
  const running = new Map(openingOwed);
  const credit = new Map(openingCredit);
  for (const currency of [...currencies].sort()) {
    rows.push({ cells: { date: range.fromDate, description: "Opening balance", reference: "", currency, charges: 0n, payments: 0n, owed: running.get(currency) ?? 0n, credit: credit.get(currency) ?? 0n }, subtotal: true });
  }
  for (const entry of entries) {
    const amount = BigInt(entry.amount);
    const receivable = isReceivable(entry.code);
    if (receivable) running.set(entry.currency, (running.get(entry.currency) ?? 0n) + amount);
    else credit.set(entry.currency, (credit.get(entry.currency) ?? 0n) - amount);
    rows.push({
      cells: {
        date: entry.effective_at,
        description: `${kindLabels[entry.kind] ?? entry.kind}${entry.description ? ` — ${entry.description}` : ""}`,
        reference: entry.number ?? "",
        currency: entry.currency,
        charges: receivable && amount > 0n ? amount : 0n,
        payments: receivable && amount < 0n ? -amount : 0n,
        owed: running.get(entry.currency) ?? 0n,
        credit: credit.get(entry.currency) ?? 0n,
      },
      href: `/ledger/transactions/${entry.id}`,
    });
  }
  const closingOwed = sums(closing, isReceivable, false);
  const closingCredit = sums(closing, isGrant, true);
  for (const currency of [...currencies].sort()) {
    rows.push({ cells: { date: range.toDate, description: "Closing balance", reference: "", currency, charges: 0n, payments: 0n, owed: closingOwed.get(currency) ?? 0n, credit: closingCredit.get(currency) ?? 0n }, subtotal: true });
  }
  return {
    key: "statement",
    title: `Statement — ${customer.name}`,
    parameters: [
      { label: "Customer", value: `${customer.name} (${customer.external_id}), ${customer.email}` },
      { label: "Period", value: `${range.fromDate} to ${range.toDate}` },
    ],
    columns: [
      { key: "date", label: "Date", type: "date" },
      { key: "description", label: "Description", type: "text" },
      { key: "reference", label: "Invoice", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "charges", label: "Charges", type: "money" },
      { key: "payments", label: "Payments and credits", type: "money" },
      { key: "owed", label: "Balance owed", type: "money" },
      { key: "credit", label: "Credit available", type: "money" },
    ],
    rows,
    reconciliation: [...currencies].sort().flatMap((currency) => [
      { label: "Closing balance owed = running balance", currency, report: running.get(currency) ?? 0n, ledger: closingOwed.get(currency) ?? 0n },
      { label: "Credit available = grant accounts", currency, report: credit.get(currency) ?? 0n, ledger: closingCredit.get(currency) ?? 0n },
    ]),
  };
}
