import type { EnsureAccountInput } from "@/server/ledger/ensure-accounts";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import type { Actor } from "@/server/audit/actor";
import type { LedgerEntryInput, TransferInput } from "@/server/ledger/types";
import type { InvoiceLineDraft, InvoiceTotals } from "./build-invoice";

export type InvoiceLedgerInput = {
  invoiceId: string;
  /** Stable identity of the invoice: (subscription, period start, kind, sequence). */
  invoiceKey: string;
  customerId: string;
  currency: string;
  planKey: string;
  lines: readonly InvoiceLineDraft[];
  totals: InvoiceTotals;
  effectiveAt: Date;
  actor: Actor;
};

/** Ledger idempotency keys, derived from the invoice's identity so a retried close never posts twice. */
export const invoiceLedgerKeys = {
  accrual: (invoiceKey: string) => `invoice:${invoiceKey}:accrual`,
  invoice: (invoiceKey: string) => `invoice:${invoiceKey}:invoice`,
  credit: (invoiceKey: string, productKey: string) => `invoice:${invoiceKey}:credit:${productKey}`,
} as const;

export function invoiceKeyOf(subscriptionId: string, periodStart: Date, kind: string, sequence: number): string {
  return `${subscriptionId}:${periodStart.toISOString()}:${kind}:${sequence}`;
}

/** The accounts an invoice's postings touch (ensured once per batch). */
export function invoiceAccounts(input: Pick<InvoiceLedgerInput, "customerId" | "currency" | "planKey" | "lines">): EnsureAccountInput[] {
  const { customerId, currency } = input;
  const accounts: EnsureAccountInput[] = [
    { code: ledgerAccountCodes.customerUnbilled(customerId), kind: "asset", currency, customerId },
    { code: ledgerAccountCodes.customerReceivable(customerId), kind: "asset", currency, customerId },
    { code: ledgerAccountCodes.revenueSubscription(input.planKey), kind: "revenue", currency },
    { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency },
    { code: ledgerAccountCodes.rounding(), kind: "expense", currency },
  ];
  for (const plan of new Set(input.lines.filter((line) => line.kind === "base_fee" || line.kind === "proration").map((line) => line.productKey ?? input.planKey))) {
    if (plan !== input.planKey) accounts.push({ code: ledgerAccountCodes.revenueSubscription(plan), kind: "revenue", currency });
  }
  for (const productKey of new Set(input.lines.filter(isUsage).map((line) => line.productKey ?? "usage"))) {
    accounts.push({ code: ledgerAccountCodes.revenueUsage(productKey), kind: "revenue", currency });
  }
  return accounts;
}

/**
 * The invoice's ledger transactions (credits were already burned by `burnGrants`: Dr grant / Cr
 * unbilled):
 * - `usage_accrual`: Dr `customer:<id>:unbilled` / Cr `revenue:usage:<product>` per product;
 * - `invoice`: Dr `customer:<id>:receivable` (the total in whole cents), Dr `expense:promotions`
 *   (discounts: a promotion is a marketing cost, as promotional credit grants are), Dr/Cr
 *   `rounding` (micro-units below a cent), Cr unbilled (usage net of credits), Cr
 *   `revenue:subscription:<plan>` (the base fee).
 * Signed amounts become debit/credit entries; zero amounts are left out.
 */
export function invoiceTransactions(input: InvoiceLedgerInput): TransferInput[] {
  const { customerId, currency, totals } = input;
  const usageByProduct = new Map<string, bigint>();
  let usage = 0n;
  // Base fee per plan (`revenue:subscription:<plan>`): the next period's plan may differ after a scheduled change.
  const feeByPlan = new Map<string, bigint>();
  for (const line of input.lines) {
    if (isUsage(line)) {
      const product = line.productKey ?? "usage";
      usageByProduct.set(product, (usageByProduct.get(product) ?? 0n) + line.amountMicros);
      usage += line.amountMicros;
    } else if (line.kind === "base_fee" || line.kind === "proration") {
      const plan = line.productKey ?? input.planKey;
      feeByPlan.set(plan, (feeByPlan.get(plan) ?? 0n) + line.amountMicros);
    }
  }
  const common = { actor: input.actor, effectiveAt: input.effectiveAt, references: { customerId, invoiceId: input.invoiceId } };
  const transactions: TransferInput[] = [];
  const accrual = entries(currency, [
    [ledgerAccountCodes.customerUnbilled(customerId), usage],
    ...[...usageByProduct].map(([product, amount]): [string, bigint] => [ledgerAccountCodes.revenueUsage(product), -amount]),
  ]);
  if (accrual.length > 0) {
    transactions.push({ ...common, kind: "usage_accrual", idempotencyKey: invoiceLedgerKeys.accrual(input.invoiceKey), description: "Usage rated for invoice", entries: accrual });
  }
  const invoice = entries(currency, [
    [ledgerAccountCodes.customerReceivable(customerId), totals.totalCents * 10_000n],
    [ledgerAccountCodes.expensePromotions(), totals.discountMicros],
    [ledgerAccountCodes.rounding(), totals.roundingMicros],
    [ledgerAccountCodes.customerUnbilled(customerId), -(usage - totals.creditMicros)],
    ...[...feeByPlan].map(([plan, amount]): [string, bigint] => [ledgerAccountCodes.revenueSubscription(plan), -amount]),
  ]);
  if (invoice.length > 0) {
    transactions.push({ ...common, kind: "invoice", idempotencyKey: invoiceLedgerKeys.invoice(input.invoiceKey), description: "Invoice finalized", entries: invoice });
  }
  return transactions;
}

function isUsage(line: InvoiceLineDraft): boolean {
  return line.kind === "usage" || line.kind === "late_usage";
}

/** Signed amounts (debit positive) per account code, merged, zeros dropped; asserts balance. */
function entries(currency: string, amounts: ReadonlyArray<[string, bigint]>): LedgerEntryInput[] {
  const byCode = new Map<string, bigint>();
  for (const [code, amount] of amounts) byCode.set(code, (byCode.get(code) ?? 0n) + amount);
  const total = [...byCode.values()].reduce((sum, amount) => sum + amount, 0n);
  if (total !== 0n) throw new Error(`invoicing: unbalanced ledger transaction (${total} micro-units)`);
  return [...byCode]
    .filter(([, amount]) => amount !== 0n)
    .map(([accountCode, amount]) => ({ accountCode, direction: amount > 0n ? ("debit" as const) : ("credit" as const), amount: amount > 0n ? amount : -amount, currency }));
}
