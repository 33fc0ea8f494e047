import crypto from "node:crypto";
import type { Db } from "@/db/client";
import { customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { ledgerAccountCodes } from "./account-codes";
import { ensureAccounts } from "./ensure-accounts";
import type { LedgerEntryInput, TransferInput } from "./types";

export const testActor = systemActor("ledger-test");

export async function createTestCustomer(db: Db): Promise<string> {
  const suffix = crypto.randomBytes(6).toString("hex");
  const [row] = await db
    .insert(customers)
    .values({ externalId: `ext-${suffix}`, name: `Customer ${suffix}`, email: `${suffix}@example.com`, kind: "individual" })
    .returning({ id: customers.id });
  return row!.id;
}

/** The platform accounts plus, for a customer, a grant, unbilled and receivable. */
export async function createChart(db: Db, customerId: string, grantId = "g1") {
  const accounts = await ensureAccounts(db, [
    { code: ledgerAccountCodes.customerGrant(customerId, grantId), kind: "liability", currency: "usd", customerId, nonNegative: true },
    { code: ledgerAccountCodes.customerUnbilled(customerId), kind: "asset", currency: "usd", customerId },
    { code: ledgerAccountCodes.customerReceivable(customerId), kind: "asset", currency: "usd", customerId },
    { code: ledgerAccountCodes.revenueUsage("api"), kind: "revenue", currency: "usd" },
    { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency: "usd" },
    { code: ledgerAccountCodes.cashStripe(), kind: "asset", currency: "usd" },
    { code: "cash:eur", kind: "asset", currency: "eur" },
  ]);
  const [grant, unbilled, receivable, revenue, promotions, cash, cashEur] = accounts.map((account) => account.id) as [
    string, string, string, string, string, string, string,
  ];
  return { grant, unbilled, receivable, revenue, promotions, cash, cashEur };
}

export function transfer(
  key: string,
  debitAccountId: string,
  creditAccountId: string,
  amount: bigint,
  extra: Partial<TransferInput> = {},
): TransferInput {
  const entries: LedgerEntryInput[] = [
    { accountId: debitAccountId, direction: "debit", amount, currency: "usd" },
    { accountId: creditAccountId, direction: "credit", amount, currency: "usd" },
  ];
  return { idempotencyKey: key, kind: "adjustment", entries, actor: testActor, ...extra };
}
