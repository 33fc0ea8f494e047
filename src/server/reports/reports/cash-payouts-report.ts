import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { textArray } from "@/server/ledger/sql-arrays";
import { listPayoutsArriving } from "@/server/stripe/list-payouts";
import { stripeMinorToMicros } from "@/server/stripe/money";
import { payoutLedgerKeys } from "@/server/stripe/post-payout";
import { dateOf, parseDateRange, type Report, type ReportRow } from "../report-model";

type Totals = { gross: bigint; fees: bigint; net: bigint; payments: number; refunds: number; payouts: number };

const statusLabels: Record<string, string> = { paid: "Paid", pending: "Pending", in_transit: "In transit", failed: "Failed", canceled: "Canceled" };

/**
 * The Cash report by Stripe payout: each payout that arrives in the period (its id, as on the bank
 * statement's reference), with the gross of the payments and refunds it carried, Stripe's fees and
 * the net that reached the bank. Paid payouts' totals reconcile to the ledger's postings of those
 * very payouts (an unposted one shows as a difference); pending and failed ones are listed, not
 * totalled. The by-day and by-month views are the ones that tie to the trial balance: a payout that
 * arrived in a closed month is booked in the next open one, while this view keeps its arrival date.
 */
export async function getCashPayoutsReport(db: Db, input: { from: string; to: string }): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const { items, truncated } = await listPayoutsArriving(db, { from: range.from, to: range.to });
  const rows: ReportRow[] = [];
  const totals = new Map<string, Totals>();
  for (const payout of items) {
    const micros = (minor: bigint) => stripeMinorToMicros(minor, payout.currency);
    const arrival = dateOf(payout.arrivalDate);
    const dayEnd = new Date(Date.parse(`${arrival}T00:00:00Z`) + 86_400_000).toISOString();
    const drill = (codeLike: string) => ({ from: `${arrival}T00:00:00.000Z`, to: dayEnd, codeLike, kinds: ["payout"], label: `payout ${payout.stripeId}` });
    rows.push({
      cells: {
        payout: payout.stripeId,
        arrival,
        status: statusLabels[payout.status] ?? payout.status,
        currency: payout.currency,
        gross: micros(payout.grossMinor),
        fees: micros(payout.feeMinor),
        net: micros(payout.amountMinor),
        payments: payout.paymentCount,
        refunds: payout.refundCount,
      },
      drill: { gross: drill("cash:stripe%"), fees: drill("expense:stripe_fees%"), net: drill("cash:bank%") },
    });
    if (payout.status !== "paid") continue;
    const total = totals.get(payout.currency) ?? { gross: 0n, fees: 0n, net: 0n, payments: 0, refunds: 0, payouts: 0 };
    total.gross += micros(payout.grossMinor);
    total.fees += micros(payout.feeMinor);
    total.net += micros(payout.amountMinor);
    total.payments += payout.paymentCount;
    total.refunds += payout.refundCount;
    total.payouts += 1;
    totals.set(payout.currency, total);
  }
  for (const [currency, total] of [...totals.entries()].sort()) {
    rows.push({
      cells: { payout: `Total ${currency.toUpperCase()} (${total.payouts} paid)`, arrival: null, status: null, currency, gross: total.gross, fees: total.fees, net: total.net, payments: total.payments, refunds: total.refunds },
      subtotal: true,
    });
  }
  const posted = await readPayoutPostings(db, items.filter((payout) => payout.status === "paid").map((payout) => payoutLedgerKeys.payout(payout.stripeId)));
  const currencies = [...totals.keys()].sort();
  const notes = [
    "Gross is what the payout's payments and refunds moved; net = gross − fees reached the bank on the arrival date. Payments not yet paid out stay in Cash at Stripe.",
  ];
  if (truncated) notes.push(`Only the first ${items.length} payouts of the period are shown; shorten the period.`);
  return {
    key: "cash",
    title: "Cash",
    parameters: [
      { label: "Period (arrival)", value: `${range.fromDate} to ${range.toDate}` },
      { label: "By", value: "Stripe payout" },
    ],
    columns: [
      { key: "payout", label: "Stripe payout", type: "text" },
      { key: "arrival", label: "Arrival", type: "date" },
      { key: "status", label: "Status", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "gross", label: "Gross", type: "money" },
      { key: "fees", label: "Stripe fees", type: "money" },
      { key: "net", label: "Net paid out", type: "money" },
      { key: "payments", label: "Payments", type: "integer" },
      { key: "refunds", label: "Refunds", type: "integer" },
    ],
    rows,
    reconciliation: currencies.flatMap((currency) => [
      { label: "Net paid out = the payouts' postings to cash at bank", currency, report: totals.get(currency)?.net ?? 0n, ledger: posted.get(`bank|${currency}`) ?? 0n },
      { label: "Stripe fees = the payouts' postings to the Stripe fees expense", currency, report: totals.get(currency)?.fees ?? 0n, ledger: posted.get(`fees|${currency}`) ?? 0n },
    ]),
    chart: {
      type: "bar",
      x: "arrival",
      series: ["net", "fees"],
      currency: "usd",
      rows: items.filter((payout) => payout.currency === "usd" && payout.status === "paid").map((payout) => ({ arrival: dateOf(payout.arrivalDate), net: Number(payout.amountMinor) / 100, fees: Number(payout.feeMinor) / 100 })),
    },
    notes,
  };
}

/** Bank and fee movement of the given payout postings, by `bank|usd` / `fees|usd`. */
async function readPayoutPostings(db: Db, keys: string[]): Promise<Map<string, bigint>> {
  const moved = new Map<string, bigint>();
  if (keys.length === 0) return moved;
  const rows = await executeRows<{ account: "bank" | "fees"; currency: string; amount: string }>(
    db,
    sql`select case when a.code like 'cash:bank%' then 'bank' else 'fees' end as account, e.currency, sum(e.amount)::text as amount
        from ledger_transactions t
        join ledger_entries e on e.transaction_id = t.id and e.phase = 'posted'
        join ledger_accounts a on a.id = e.account_id and (a.code like 'cash:bank%' or a.code like 'expense:stripe_fees%')
        where t.idempotency_key = any(${textArray(keys)})
        group by 1, 2`,
  );
  for (const row of rows) moved.set(`${row.account}|${row.currency}`, BigInt(row.amount));
  return moved;
}
