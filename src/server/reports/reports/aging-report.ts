import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { receivableMovementSql, ts } from "../ledger-sql";
import { readBalancesBefore } from "../balances";
import { listClosedMonthStarts } from "../periods/list-accounting-periods";
import { monthAt } from "../periods/month";
import { dayMs, parseDate, type Report, type ReportRow } from "../report-model";

export type AgingReportInput = { asOf: string; customerId?: string };

const buckets = ["current", "d1_30", "d31_60", "d61_90", "d90_plus"] as const;
type Bucket = (typeof buckets)[number];

/**
 * Receivables and aging at the end of a day: each customer's open items (invoices, paid-credit
 * purchases, unmatched Stripe payments) from the ledger, in buckets by days past due (an invoice is
 * due when issued: Stripe charges it at once), with the customer's dunning state then. Unapplied
 * payments are shown apart. Each customer's total is their receivable account's balance.
 */
export async function getAgingReport(db: Db, input: AgingReportInput): Promise<Report> {
  const asOf = parseDate(input.asOf, "As of");
  const before = new Date(asOf.getTime() + dayMs);
  // The open items, the accounts, the dunning states and the ledger's balances are independent reads: side by side.
  const [items, accounts, dunning, ledger] = await Promise.all([
    readOpenItems(db, before),
    executeRows<{ id: string; customer_id: string; currency: string; name: string; external_id: string }>(
      db,
      sql`select a.id, a.customer_id, a.currency, c.name, c.external_id from ledger_accounts a join customers c on c.id = a.customer_id
          where a.code like 'customer:%:receivable' ${input.customerId ? sql`and a.customer_id = ${input.customerId}` : sql``}`,
    ),
    executeRows<{ customer_id: string; status: string; attempt_count: number; restricted: boolean }>(
      db,
      sql`select distinct on (customer_id) customer_id, status, attempt_count, (restricted_at is not null and restricted_at < ${ts(before)}) as restricted
          from dunning_cases where first_failed_at < ${ts(before)} and (closed_at is null or closed_at >= ${ts(before)})
          order by customer_id, first_failed_at desc`,
    ),
    readBalancesBefore(db, before, { codeLike: "customer:%:receivable" }),
  ]);
  const invoiceIds = [...new Set(items.map((item) => /^invoice:(.+)$/.exec(item.itemKey)?.[1]).filter((id): id is string => !!id && /^[0-9a-f-]{36}$/i.test(id)))];
  const invoices = new Map<string, { number: string | null; issued_at: string; stripe_invoice_id: string | null }>();
  for (let offset = 0; offset < invoiceIds.length; offset += 5000) {
    const chunk = invoiceIds.slice(offset, offset + 5000);
    for (const row of await executeRows<{ id: string; number: string | null; issued_at: string; stripe_invoice_id: string | null }>(
      db,
      sql`select id, number, issued_at::text, stripe_invoice_id from invoices where id = any(${`{${chunk.join(",")}}`}::uuid[])`,
    )) invoices.set(row.id, row);
  }
  const dunningByCustomer = new Map(dunning.map((row) => [row.customer_id, row]));
  type Line = { account: (typeof accounts)[number]; amounts: Record<Bucket | "unapplied" | "total", bigint>; oldest: string | null; items: number };
  const lines = new Map<string, Line>();
  const accountById = new Map(accounts.map((account) => [account.id, account]));
  for (const item of items) {
    const account = accountById.get(item.accountId);
    if (!account) continue;
    let line = lines.get(account.id);
    if (!line) {
      line = { account, amounts: { current: 0n, d1_30: 0n, d31_60: 0n, d61_90: 0n, d90_plus: 0n, unapplied: 0n, total: 0n }, oldest: null, items: 0 };
      lines.set(account.id, line);
    }
    line.amounts.total += item.amount;
    if (item.amount < 0n) {
      line.amounts.unapplied += item.amount;
      continue;
    }
    const invoice = invoices.get(item.itemKey.slice("invoice:".length));
    const due = invoice ? new Date(invoice.issued_at) : item.datedAt;
    const days = Math.max(0, Math.floor((before.getTime() - due.getTime()) / dayMs));
    line.amounts[days === 0 ? "current" : days <= 30 ? "d1_30" : days <= 60 ? "d31_60" : days <= 90 ? "d61_90" : "d90_plus"] += item.amount;
    line.items++;
    const label = invoice?.number ?? itemLabel(item.itemKey);
    if (line.oldest === null || due.toISOString() < line.oldest.slice(0, 24)) line.oldest = `${due.toISOString()} ${label}`;
  }
  const rows: ReportRow[] = [];
  const totals = new Map<string, Record<Bucket | "unapplied" | "total", bigint>>();
  const sorted = [...lines.values()].filter((line) => line.amounts.total !== 0n || line.items > 0).sort((a, b) => a.account.currency.localeCompare(b.account.currency) || (b.amounts.total > a.amounts.total ? 1 : b.amounts.total < a.amounts.total ? -1 : a.account.name.localeCompare(b.account.name)));
  for (const line of sorted) {
    const state = dunningByCustomer.get(line.account.customer_id);
    const drill = { from: "2000-01-01T00:00:00.000Z", to: before.toISOString(), accountId: line.account.id, label: `${line.account.name} receivable` };
    rows.push({
      cells: {
        customer: line.account.name,
        externalId: line.account.external_id,
        currency: line.account.currency,
        dunning: state ? `${state.restricted ? "restricted" : "in dunning"}, ${state.attempt_count} failed attempt(s)` : "—",
        oldest: line.oldest ? `${line.oldest.slice(0, 10)} ${line.oldest.slice(25)}` : "—",
        ...line.amounts,
      },
      drill: Object.fromEntries([...buckets, "unapplied", "total"].map((bucket) => [bucket, drill])),
      href: `/customers/${line.account.customer_id}`,
    });
    const total = totals.get(line.account.currency) ?? { current: 0n, d1_30: 0n, d31_60: 0n, d61_90: 0n, d90_plus: 0n, unapplied: 0n, total: 0n };
    for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += line.amounts[key];
    totals.set(line.account.currency, total);
  }
  for (const [currency, total] of totals) rows.push({ cells: { customer: `Total ${currency.toUpperCase()}`, externalId: "", currency, dunning: "", oldest: "", ...total }, subtotal: true });
  const ledgerByCurrency = new Map<string, bigint>();
  for (const row of ledger) {
    if (input.customerId && row.customerId !== input.customerId) continue;
    ledgerByCurrency.set(row.currency, (ledgerByCurrency.get(row.currency) ?? 0n) + row.debits - row.credits);
  }
  const currencies = new Set([...totals.keys(), ...ledgerByCurrency.keys()]);
  return {
    key: "aging",
    title: "Receivables and aging",
    parameters: [{ label: "As of", value: `end of ${input.asOf} (UTC)` }, ...(input.customerId ? [{ label: "Customer", value: sorted[0]?.account.name ?? input.customerId }] : [])],
    columns: [
      { key: "customer", label: "Customer", type: "text" },
      { key: "externalId", label: "External id", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "dunning", label: "Dunning", type: "text" },
      { key: "oldest", label: "Oldest open item", type: "text" },
      { key: "current", label: "Current", type: "money" },
      { key: "d1_30", label: "1–30 days", type: "money" },
      { key: "d31_60", label: "31–60 days", type: "money" },
      { key: "d61_90", label: "61–90 days", type: "money" },
      { key: "d90_plus", label: "90+ days", type: "money" },
      { key: "unapplied", label: "Unapplied payments", type: "money" },
      { key: "total", label: "Total", type: "money" },
    ],
    rows,
    reconciliation: [...currencies].sort().map((currency) => ({ label: "Total = receivable accounts in the trial balance", currency, report: totals.get(currency)?.total ?? 0n, ledger: ledgerByCurrency.get(currency) ?? 0n })),
    chart: {
      type: "bar",
      x: "bucket",
      series: ["amount"],
      currency: "usd",
      rows: buckets.map((bucket) => ({ bucket: { current: "Current", d1_30: "1–30", d31_60: "31–60", d61_90: "61–90", d90_plus: "90+" }[bucket], amount: Number((totals.get("usd")?.[bucket] ?? 0n) / 10_000n) / 100 })),
    },
    notes: ["Invoices are due when issued (Stripe charges them at once). Payments that match no open invoice are shown as unapplied."],
  };
}

/** What a person calls an open item that is not one of Tally's numbered invoices. */
function itemLabel(itemKey: string): string {
  const [type, ...rest] = itemKey.split(":");
  const reference = rest.join(":");
  if (type === "invoice") return `invoice ${reference.length > 24 ? `${reference.slice(0, 8)}…` : reference}`;
  if (type === "grant") return "paid credit purchase";
  if (type === "stripe") return `Stripe ${reference}`;
  return "posting";
}

export type OpenItem = { accountId: string; itemKey: string; amount: bigint; datedAt: Date };

/** Open receivable items before an instant: the nearest earlier closed month's items plus the postings since. */
export async function readOpenItems(db: Db, before: Date): Promise<OpenItem[]> {
  const starts = (await listClosedMonthStarts(db)).filter((start) => monthAt(start).end.getTime() <= before.getTime());
  const snapshot = starts.at(-1);
  const from = snapshot ? monthAt(snapshot).end : new Date(0);
  const prior = snapshot
    ? sql`select account_id, item_key, amount, dated_at from ledger_period_open_items where period_start = ${ts(snapshot)}`
    : sql`select null::uuid as account_id, null::text as item_key, 0::int8 as amount, null::timestamptz as dated_at where false`;
  const rows = await executeRows<{ account_id: string; item_key: string; amount: string; dated_at_ms: string }>(
    db,
    sql`select account_id, item_key, sum(amount)::text as amount, (extract(epoch from min(dated_at)) * 1000)::int8::text as dated_at_ms
        from (${prior} union all ${receivableMovementSql(from, before)}) items
        group by account_id, item_key having sum(amount) <> 0`,
  );
  return rows.map((row) => ({ accountId: row.account_id, itemKey: row.item_key, amount: BigInt(row.amount), datedAt: new Date(Number(row.dated_at_ms)) }));
}
