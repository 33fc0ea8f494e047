import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ts } from "../ledger-sql";
import { parseDateRange, reportLimits, type Report, type ReportRow } from "../report-model";

export type AdjustmentsReportInput = { from: string; to: string; kind?: "reversal" | "write_off" | "adjustment" | "refund" };

const kindLabels: Record<string, string> = { reversal: "Reversal", write_off: "Write-off", adjustment: "Adjustment / credit note", refund: "Refund" };

/**
 * Every correcting transaction effective in the period — reversals, write-offs, adjustments
 * (credit notes, recovered bad debt) and refunds — with who posted it and why (the audit log's
 * reason where a person acted, else the transaction's description), and what it corrects.
 */
export async function getAdjustmentsReport(db: Db, input: AdjustmentsReportInput): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const kinds = input.kind ? [input.kind] : ["reversal", "write_off", "adjustment", "refund"];
  const rows = await executeRows<{
    id: string;
    effective_at: string;
    kind: string;
    description: string;
    actor_type: string;
    actor_id: string;
    currency: string;
    amount: string;
    customer_name: string | null;
    external_id: string | null;
    customer_id: string | null;
    reverses: string | null;
    corrects: string | null;
    reason: string | null;
    who: string | null;
  }>(
    db,
    sql`select t.id, to_char(t.effective_at at time zone 'UTC', 'YYYY-MM-DD') as effective_at, t.kind, t.description, t.actor_type, t.actor_id,
          x.currency, x.amount::text, c.name as customer_name, c.external_id, t.customer_id::text, t.reverses_transaction_id::text as reverses,
          t.metadata ->> 'corrects_period' as corrects, au.reason, coalesce(au.actor_label, u.email) as who
        from ledger_transactions t
        cross join lateral (select min(e.currency) as currency, sum(e.amount) filter (where e.amount > 0) as amount from ledger_entries e where e.transaction_id = t.id and e.phase = 'posted') x
        left join customers c on c.id = t.customer_id
        left join users u on t.actor_type = 'user' and u.id::text = t.actor_id
        left join lateral (
          select a.reason, a.actor_label from audit_log a
          where a.object_type = 'ledger_transaction' and a.object_id = coalesce(t.reverses_transaction_id::text, t.id::text) order by a.id desc limit 1
        ) au on true
        where t.kind = any(${`{${kinds.join(",")}}`}::text[]) and t.effective_at >= ${ts(range.from)} and t.effective_at < ${ts(range.to)}
        order by t.effective_at, t.id
        limit ${reportLimits.rowsMax}`,
  );
  const reportRows: ReportRow[] = [];
  const totals = new Map<string, bigint>();
  for (const row of rows) {
    const amount = BigInt(row.amount ?? "0");
    reportRows.push({
      cells: {
        date: row.effective_at,
        kind: kindLabels[row.kind] ?? row.kind,
        customer: row.customer_name ? `${row.customer_name} (${row.external_id})` : "—",
        currency: row.currency,
        amount,
        who: row.who ?? (row.actor_type === "system" ? `Tally (${row.actor_id})` : row.actor_id),
        why: row.reason ?? row.description,
        corrects: row.reverses ? `transaction ${row.reverses.slice(0, 8)}` : row.corrects ? `period ${row.corrects}` : "—",
      },
      href: `/ledger/transactions/${row.id}`,
      drill: { amount: { from: range.from.toISOString(), to: range.to.toISOString(), kinds: [row.kind], label: row.description } },
    });
    totals.set(row.currency, (totals.get(row.currency) ?? 0n) + amount);
  }
  for (const [currency, amount] of totals) reportRows.push({ cells: { date: "", kind: `Total ${currency.toUpperCase()}`, customer: "", currency, amount, who: "", why: "", corrects: "" }, subtotal: true });
  return {
    key: "adjustments",
    title: "Adjustments",
    parameters: [{ label: "Period", value: `${range.fromDate} to ${range.toDate}` }, ...(input.kind ? [{ label: "Kind", value: kindLabels[input.kind]! }] : [])],
    columns: [
      { key: "date", label: "Date", type: "date" },
      { key: "kind", label: "Kind", type: "text" },
      { key: "customer", label: "Customer", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "amount", label: "Amount", type: "money" },
      { key: "who", label: "Who", type: "text" },
      { key: "why", label: "Why", type: "text" },
      { key: "corrects", label: "Corrects", type: "text" },
    ],
    rows: reportRows,
    reconciliation: [],
    notes: rows.length >= reportLimits.rowsMax ? [`Only the first ${reportLimits.rowsMax} adjustments are shown; shorten the period.`] : [],
  };
}
