import type { Db } from "@/db/client";
import type { GrantCategory } from "@/db/schema";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import type { PostTransactionResult } from "@/server/ledger/types";

/** Ledger idempotency keys are derived from our own ids, so a retry can never post twice. */
export const grantLedgerKeys = {
  issue: (grantId: string) => `credit_grant:${grantId}`,
  expire: (grantId: string) => `credit_expiry:${grantId}`,
  burn: (burnKey: string) => `credit_burn:${burnKey}`,
} as const;

/**
 * The account on the other side of a grant. Promotional and goodwill credit is a marketing /
 * service cost, booked when granted (Dr `expense:promotions`) and taken back if it expires
 * unused. Paid credit is bought on an invoice: granting it debits the customer's receivable
 * (the invoice's payment later credits the receivable against cash), and what expires unused
 * is breakage revenue.
 */
export function grantCounterAccount(category: GrantCategory, customerId: string): string {
  return category === "paid" ? ledgerAccountCodes.customerReceivable(customerId) : ledgerAccountCodes.expensePromotions();
}

export function expiryAccount(category: GrantCategory): string {
  return category === "paid" ? ledgerAccountCodes.revenueBreakage() : ledgerAccountCodes.expensePromotions();
}

/** Creates (or finds) the grant's own non-negative account and the accounts its postings touch. */
export async function ensureGrantAccounts(db: Db, grant: { id: string; customerId: string; currency: string; category: GrantCategory }): Promise<string> {
  const [account] = await ensureAccounts(db, [
    { code: ledgerAccountCodes.customerGrant(grant.customerId, grant.id), kind: "liability", currency: grant.currency, customerId: grant.customerId, nonNegative: true },
    grant.category === "paid"
      ? { code: ledgerAccountCodes.customerReceivable(grant.customerId), kind: "asset", currency: grant.currency, customerId: grant.customerId }
      : { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency: grant.currency },
    grant.category === "paid"
      ? { code: ledgerAccountCodes.revenueBreakage(), kind: "revenue", currency: grant.currency }
      : { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency: grant.currency },
  ]);
  return account!.id;
}

/** A ledger result we did not expect is a programmer error (our inputs are validated, our accounts exist). */
export function expectPosted(result: PostTransactionResult | undefined, what: string): string {
  if (result && (result.status === "created" || result.status === "exists")) return result.transactionId;
  throw new Error(`grants: ${what} was not posted: ${result ? `${result.status} ${"message" in result ? result.message : ""}` : "no result"}`);
}
