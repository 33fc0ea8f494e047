import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { UsagePrice } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { Decimal } from "@/server/pricing/decimal";
import { rate, type Price } from "@/server/pricing";
import { ts } from "../ledger-sql";
import { parseDateRange, type Report, type ReportRow } from "../report-model";

export type PromotionsCostReportInput = { from: string; to: string };

/**
 * What each promotion gave away in the period, in money: its credits (granted, burned, expired;
 * cost = granted − expired, the promotional expense booked), the discounts its redemptions took
 * off invoices issued in the period, and the allowances it added, valued at the price the usage
 * would have been charged without them — the pricing engine rates each invoiced usage line with
 * and without the promotion's extra allowance (the extra allowance is taken as the last part of
 * the allowance used). Allowances cost nothing in the ledger; credits and discounts are in
 * `expense:promotions`.
 */
export async function getPromotionsCostReport(db: Db, input: PromotionsCostReportInput): Promise<Report> {
  const range = parseDateRange(input.from, input.to);
  const promotions = await executeRows<{ id: string; name: string; status: string; redemptions: number }>(
    db,
    sql`select p.id, p.name, p.status, (select count(*) from promotion_redemptions r where r.promotion_id = p.id and r.redeemed_at >= ${ts(range.from)} and r.redeemed_at < ${ts(range.to)})::int as redemptions
        from promotions p order by p.name limit 1000`,
  );
  const credits = await executeRows<{ promotion_id: string; currency: string; kind: string; amount: string }>(
    db,
    sql`select r.promotion_id, e.currency, t.kind, sum(e.amount)::text as amount
        from promotion_redemptions r
        join credit_grants g on g.id = r.grant_id
        join ledger_entries e on e.account_id = g.ledger_account_id and e.phase = 'posted' and e.effective_at >= ${ts(range.from)} and e.effective_at < ${ts(range.to)}
        join ledger_transactions t on t.id = e.transaction_id
        group by 1, 2, 3`,
  );
  const discounts = await executeRows<{ promotion_id: string; currency: string; amount: string }>(
    db,
    sql`select r.promotion_id, i.currency, (-sum(l.amount_micros))::text as amount
        from invoice_lines l
        join invoices i on i.id = l.invoice_id and i.status <> 'draft' and i.issued_at >= ${ts(range.from)} and i.issued_at < ${ts(range.to)}
        join customer_discounts d on d.id::text = l.metadata ->> 'discountId'
        join promotion_redemptions r on r.id = d.source_redemption_id
        where l.kind = 'discount'
        group by 1, 2`,
  );
  const allowance = await allowanceValue(db, range.from, range.to);
  type Line = { granted: bigint; burned: bigint; expired: bigint; creditCost: bigint; discounts: bigint; allowances: bigint; total: bigint };
  const lines = new Map<string, Line & { currency: string }>();
  const line = (promotionId: string, currency: string) => {
    const key = `${promotionId}|${currency}`;
    let found = lines.get(key);
    if (!found) {
      found = { currency, granted: 0n, burned: 0n, expired: 0n, creditCost: 0n, discounts: 0n, allowances: 0n, total: 0n };
      lines.set(key, found);
    }
    return found;
  };
  for (const row of credits) {
    const target = line(row.promotion_id, row.currency);
    const amount = BigInt(row.amount);
    if (row.kind === "credit_grant") target.granted -= amount;
    else if (row.kind === "credit_burn") target.burned += amount;
    else if (row.kind === "credit_expiry") target.expired += amount;
  }
  for (const row of discounts) line(row.promotion_id, row.currency).discounts += BigInt(row.amount);
  for (const [key, amount] of allowance) {
    const [promotionId, currency] = key.split("|") as [string, string];
    line(promotionId, currency).allowances += amount;
  }
  const rows: ReportRow[] = [];
  const totals = new Map<string, Line>();
  for (const promotion of promotions) {
    const found = [...lines].filter(([key]) => key.startsWith(`${promotion.id}|`));
    if (found.length === 0 && promotion.redemptions === 0) continue;
    for (const [, amounts] of found.length > 0 ? found : [[`${promotion.id}|usd`, line(promotion.id, "usd")] as const]) {
      amounts.creditCost = amounts.granted - amounts.expired;
      amounts.total = amounts.creditCost + amounts.discounts + amounts.allowances;
      const { currency, ...values } = amounts;
      rows.push({ cells: { promotion: promotion.name, status: promotion.status, redemptions: promotion.redemptions, currency, ...values }, href: `/promotions/${promotion.id}` });
      const total = totals.get(currency) ?? { granted: 0n, burned: 0n, expired: 0n, creditCost: 0n, discounts: 0n, allowances: 0n, total: 0n };
      for (const key of Object.keys(total) as Array<keyof Line>) total[key] += values[key];
      totals.set(currency, total);
    }
  }
  for (const [currency, total] of totals) rows.push({ cells: { promotion: `Total ${currency.toUpperCase()}`, status: "", redemptions: null, currency, ...total }, subtotal: true });
  return {
    key: "promotions",
    title: "Promotions cost",
    parameters: [{ label: "Period", value: `${range.fromDate} to ${range.toDate}` }],
    columns: [
      { key: "promotion", label: "Promotion", type: "text" },
      { key: "status", label: "Status", type: "text" },
      { key: "redemptions", label: "Redemptions in period", type: "integer" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "granted", label: "Credits granted", type: "money" },
      { key: "burned", label: "Credits used", type: "money" },
      { key: "expired", label: "Credits expired", type: "money" },
      { key: "creditCost", label: "Credit cost", type: "money" },
      { key: "discounts", label: "Discounts", type: "money" },
      { key: "allowances", label: "Allowances (at price)", type: "money" },
      { key: "total", label: "Total cost", type: "money" },
    ],
    rows,
    reconciliation: [],
    notes: [
      "Credit cost is what the promotion's credits cost in the period: granted less what expired unused.",
      "Allowances are valued by rating each invoiced usage line with and without the promotion's extra allowance.",
    ],
  };
}

/** Per `promotion|currency`, the money value of promotion allowances on usage lines of invoices issued in [from, to). */
async function allowanceValue(db: Db, from: Date, to: Date): Promise<Map<string, bigint>> {
  const rows = await executeRows<{
    promotion_id: string;
    currency: string;
    usage_prices: UsagePrice[];
    meter_key: string;
    dimensions: Record<string, string>;
    usage_quantity: string;
    allowance_quantity: string;
    promo_quantity: string;
  }>(
    db,
    sql`select r.promotion_id, i.currency, v.usage_prices, l.meter_key, l.dimensions, l.usage_quantity::text, l.allowance_quantity::text,
          ag.quantity_per_period::text as promo_quantity
        from allowance_grants ag
        join promotion_redemptions r on r.id = ag.source_redemption_id
        join invoices i on i.customer_id = ag.customer_id and i.status <> 'draft' and i.issued_at >= ${ts(from)} and i.issued_at < ${ts(to)}
        join catalog_plan_versions v on v.id = i.plan_version_id
        join invoice_lines l on l.invoice_id = i.id and l.kind in ('usage', 'late_usage') and l.meter_key = ag.meter_key
          and l.service_period_start < ag.ends_at and l.service_period_end > ag.starts_at
        where l.usage_quantity is not null and coalesce(l.allowance_quantity, 0) > 0
        order by i.id, l.position
        limit 20000`,
  );
  const result = new Map<string, bigint>();
  for (const row of rows) {
    const usagePrice = row.usage_prices.find((price) => price.meterKey === row.meter_key);
    if (!usagePrice) continue;
    const price = usagePrice.price as Price;
    const key = `${row.promotion_id}|${row.currency}`;
    const usage = new Decimal(row.usage_quantity);
    const allowance = new Decimal(row.allowance_quantity);
    const promo = Decimal.min(new Decimal(row.promo_quantity), allowance);
    const billed = Decimal.max(usage.minus(allowance), 0);
    const without = Decimal.max(usage.minus(allowance).plus(promo), 0);
    const value = rate(price, without.toFixed(), row.dimensions).amountMicros - rate(price, billed.toFixed(), row.dimensions).amountMicros;
    if (value > 0n) result.set(key, (result.get(key) ?? 0n) + value);
  }
  return result;
}
