import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { DomainError } from "@/server/errors";
import { readBalancesBefore } from "../balances";
import { monthFromKey, type Month } from "../periods/month";
import { readActivity } from "../read-activity";
import type { DrillSpec, Report, ReportRow } from "../report-model";

export type RevenueReportInput = { from: string; to: string; currency?: string; productKey?: string; planKey?: string };

const columns = ["subscription", "usage", "overage", "breakage", "gross", "discounts", "promotions", "net"] as const;
type Amounts = Record<(typeof columns)[number], bigint>;
const zero = (): Amounts => ({ subscription: 0n, usage: 0n, overage: 0n, breakage: 0n, gross: 0n, discounts: 0n, promotions: 0n, net: 0n });

/**
 * Revenue recognised per month × currency × plan × product, from the revenue accounts' credits
 * (net of debits): subscription fees, usage, overage (usage past an included allowance) and
 * breakage; less discounts (on invoices) and promotional and goodwill credits (the
 * `expense:promotions` movement), giving net revenue. Totals equal the movement of the revenue and
 * promotion accounts between the trial balances at the range's ends.
 */
export async function getRevenueReport(db: Db, input: RevenueReportInput): Promise<Report> {
  const first = monthFromKey(input.from);
  const last = monthFromKey(input.to);
  if (last.start < first.start) throw new DomainError("invalid", "range_reversed", `The range is reversed: ${input.from} is after ${input.to}. Put the earlier month first.`, { field: "to" });
  const months = (last.start.getUTCFullYear() - first.start.getUTCFullYear()) * 12 + last.start.getUTCMonth() - first.start.getUTCMonth() + 1;
  if (months > 24) throw new DomainError("too_large", "range_too_long", `The range covers ${months} months; the revenue report covers at most 24. Shorten it.`, { field: "to" });
  // The ledger's side of the reconciliation is read beside the activity (each on its own connection).
  const [activity, names, balances] = await Promise.all([
    readActivity(db, first.start, last.end, { codeLikes: ["revenue:%", "expense:promotions"] }),
    catalogNames(db),
    readEndBalances(db, first, last),
  ]);
  type Key = string;
  const lines = new Map<Key, { month: string; currency: string; planKey: string; product: string; amounts: Amounts; drill: Record<string, DrillSpec> }>();
  for (const row of activity) {
    if (input.currency && row.currency !== input.currency) continue;
    const parts = row.code.split(":");
    let product = "";
    let planKey = row.planKey;
    let column: keyof Amounts;
    let amount: bigint;
    if (parts[0] === "revenue") {
      amount = row.credits - row.debits;
      if (parts[1] === "subscription") {
        column = "subscription";
        product = "subscription";
        planKey = planKey || parts.slice(2).join(":");
      } else if (parts[1] === "usage") {
        column = row.revenueClass === "overage" ? "overage" : "usage";
        product = parts.slice(2).join(":");
      } else {
        column = "breakage";
        product = "credits";
      }
    } else {
      amount = row.debits - row.credits;
      column = row.transactionKind === "invoice" ? "discounts" : "promotions";
      product = "";
    }
    if (input.productKey && product !== input.productKey) continue;
    if (input.planKey && planKey !== input.planKey) continue;
    const key = `${row.month}|${row.currency}|${planKey}|${product}`;
    const month = monthFromKey(row.month);
    let line = lines.get(key);
    if (!line) {
      line = { month: row.month, currency: row.currency, planKey, product, amounts: zero(), drill: {} };
      lines.set(key, line);
    }
    line.amounts[column] += amount;
    line.drill[column] ??= drillFor(month, row.code, parts, planKey, column);
  }
  const rows: ReportRow[] = [];
  const sorted = [...lines.values()].sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency) || a.planKey.localeCompare(b.planKey) || a.product.localeCompare(b.product));
  const grand = new Map<string, Amounts>();
  const chartRows: Array<Record<string, string | number>> = [];
  for (let index = 0; index < sorted.length; ) {
    const { month, currency } = sorted[index]!;
    const subtotal = zero();
    for (; index < sorted.length && sorted[index]!.month === month && sorted[index]!.currency === currency; index++) {
      const line = sorted[index]!;
      finish(line.amounts);
      add(subtotal, line.amounts);
      rows.push({
        cells: { month, currency, plan: line.planKey ? (names.plans.get(line.planKey) ?? line.planKey) : "—", product: productLabel(line.product, names.products), ...line.amounts },
        drill: line.drill,
      });
    }
    rows.push({ cells: { month, currency, plan: "", product: `Total ${month}`, ...subtotal }, subtotal: true });
    add((grand.get(currency) ?? grand.set(currency, zero()).get(currency))!, subtotal);
    if (currency === (input.currency ?? "usd")) {
      chartRows.push({ month, subscription: toUnits(subtotal.subscription), usage: toUnits(subtotal.usage), overage: toUnits(subtotal.overage), net: toUnits(subtotal.net) });
    }
  }
  for (const [currency, total] of grand) rows.push({ cells: { month: "", currency, plan: "", product: `Total ${currency.toUpperCase()}`, ...total }, subtotal: true });
  const reconciliation = reconcile(balances, grand);
  return {
    key: "revenue",
    title: "Revenue",
    parameters: [
      { label: "Months", value: input.from === input.to ? input.from : `${input.from} to ${input.to}` },
      ...(input.currency ? [{ label: "Currency", value: input.currency.toUpperCase() }] : []),
      ...(input.productKey ? [{ label: "Product", value: input.productKey }] : []),
      ...(input.planKey ? [{ label: "Plan", value: input.planKey }] : []),
    ],
    columns: [
      { key: "month", label: "Month", type: "text" },
      { key: "currency", label: "Currency", type: "text" },
      { key: "plan", label: "Plan", type: "text" },
      { key: "product", label: "Product", type: "text" },
      { key: "subscription", label: "Subscription", type: "money" },
      { key: "usage", label: "Usage", type: "money" },
      { key: "overage", label: "Overage", type: "money" },
      { key: "breakage", label: "Breakage", type: "money" },
      { key: "gross", label: "Gross revenue", type: "money" },
      { key: "discounts", label: "Discounts", type: "money" },
      { key: "promotions", label: "Promotional credits", type: "money" },
      { key: "net", label: "Net revenue", type: "money" },
    ],
    rows,
    reconciliation: input.currency || input.productKey || input.planKey ? [] : reconciliation,
    chart: { type: "bar", x: "month", series: ["subscription", "usage", "overage", "net"], currency: input.currency ?? "usd", rows: chartRows },
    notes: [
      "Revenue is recognised when it is posted to the revenue accounts: usage when its invoice closes the period, subscription fees when invoiced.",
      "Overage is usage billed past an included allowance; promotional credits are promotional and goodwill credit granted, less what expired unused.",
    ],
  };
}

function finish(amounts: Amounts): void {
  amounts.gross = amounts.subscription + amounts.usage + amounts.overage + amounts.breakage;
  amounts.net = amounts.gross - amounts.discounts - amounts.promotions;
}

function add(target: Amounts, source: Amounts): void {
  for (const column of columns) target[column] += source[column];
}

function toUnits(micros: bigint): number {
  return Number(micros / 10_000n) / 100;
}

function productLabel(product: string, products: Map<string, string>): string {
  if (product === "subscription") return "Subscription fees";
  if (product === "credits") return "Expired paid credit";
  if (product === "") return "Discounts and credits";
  return products.get(product) ?? product;
}

function drillFor(month: Month, code: string, parts: string[], planKey: string, column: keyof Amounts): DrillSpec {
  const base = { from: month.start.toISOString(), to: month.end.toISOString(), label: `${column} ${month.key}` };
  if (parts[0] === "expense") return { ...base, codeLike: code, kinds: column === "discounts" ? ["invoice"] : ["credit_grant", "credit_expiry", "reversal"], ...(planKey ? { planKey } : {}) };
  return { ...base, codeLike: code, ...(planKey && parts[1] !== "subscription" ? { planKey } : {}) };
}

async function catalogNames(db: Db): Promise<{ plans: Map<string, string>; products: Map<string, string> }> {
  const rows = await executeRows<{ type: string; key: string; name: string }>(db, sql`select 'product' as type, key, name from catalog_products union all select 'plan', key, name from catalog_plans`);
  return {
    plans: new Map(rows.filter((row) => row.type === "plan").map((row) => [row.key, row.name])),
    products: new Map(rows.filter((row) => row.type === "product").map((row) => [row.key, row.name])),
  };
}

/** The revenue and promotion accounts' balances at the range's ends: one read per end, each of only those accounts' rows. */
async function readEndBalances(db: Db, first: Month, last: Month) {
  const [openingAll, closingAll] = await Promise.all([
    readBalancesBefore(db, first.start, { codeLikes: ["revenue:%", "expense:promotions"] }),
    readBalancesBefore(db, last.end, { codeLikes: ["revenue:%", "expense:promotions"] }),
  ]);
  return { openingAll, closingAll };
}

/** Gross revenue and deductions against the trial balances at the range's ends. */
function reconcile({ openingAll, closingAll }: Awaited<ReturnType<typeof readEndBalances>>, grand: Map<string, Amounts>) {
  const isRevenue = (row: { code: string }) => row.code.startsWith("revenue:");
  const [opening, closing] = [openingAll.filter(isRevenue), closingAll.filter(isRevenue)];
  const [openingPromotions, closingPromotions] = [openingAll.filter((row) => row.code === "expense:promotions"), closingAll.filter((row) => row.code === "expense:promotions")];
  const currencies = new Set([...grand.keys(), ...closing.map((row) => row.currency)]);
  const net = (rows: typeof opening, currency: string, credit: boolean) =>
    rows.filter((row) => row.currency === currency).reduce((sum, row) => sum + (credit ? row.credits - row.debits : row.debits - row.credits), 0n);
  return [...currencies].sort().flatMap((currency) => {
    const total = grand.get(currency) ?? zero();
    return [
      { label: "Gross revenue = change in revenue accounts", currency, report: total.gross, ledger: net(closing, currency, true) - net(opening, currency, true) },
      { label: "Discounts and promotional credits = change in expense:promotions", currency, report: total.discounts + total.promotions, ledger: net(closingPromotions, currency, false) - net(openingPromotions, currency, false) },
    ];
  });
}
