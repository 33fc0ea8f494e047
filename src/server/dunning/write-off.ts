import type { Db } from "@/db/client";
import type { DunningCase } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { dunningLedgerKeys } from "./policy";

const actor = systemActor("dunning");

function badDebtCode(currency: string): string {
  return currency === "usd" ? ledgerAccountCodes.expenseBadDebt() : `${ledgerAccountCodes.expenseBadDebt()}:${currency}`;
}

/**
 * Writes off a case's open amount once (Dr `expense:bad_debt` / Cr receivable), or with
 * `recovered` reverses that write-off once (the invoice was paid after all). Nothing is posted
 * for a zero amount. Returns the ledger outcome.
 */
export async function postDunningWriteOff(db: Db, clock: Clock, dunningCase: DunningCase, direction: "write_off" | "recovered"): Promise<"created" | "exists" | "skipped"> {
  const amount = dunningCase.writtenOffMicros ?? dunningCase.amountDueMicros;
  if (amount <= 0n) return "skipped";
  const receivable = ledgerAccountCodes.customerReceivable(dunningCase.customerId);
  const badDebt = badDebtCode(dunningCase.currency);
  await ensureAccounts(db, [
    { code: badDebt, kind: "expense", currency: dunningCase.currency },
    { code: receivable, kind: "asset", currency: dunningCase.currency, customerId: dunningCase.customerId },
  ]);
  const [debit, credit] = direction === "write_off" ? [badDebt, receivable] : [receivable, badDebt];
  const key = direction === "write_off" ? dunningLedgerKeys.writeOff(dunningCase.stripeInvoiceId) : dunningLedgerKeys.writeOffRecovered(dunningCase.stripeInvoiceId);
  const { results } = await postTransactions(
    db,
    [
      {
        idempotencyKey: key,
        actor,
        kind: direction === "write_off" ? "write_off" : "adjustment",
        description: direction === "write_off" ? `Bad debt: invoice ${dunningCase.stripeInvoiceId} written off` : `Bad debt recovered: invoice ${dunningCase.stripeInvoiceId} paid after write-off`,
        references: { customerId: dunningCase.customerId, stripeObjectId: dunningCase.stripeInvoiceId },
        entries: [
          { accountCode: debit, direction: "debit", amount, currency: dunningCase.currency },
          { accountCode: credit, direction: "credit", amount, currency: dunningCase.currency },
        ],
      },
    ],
    { clock },
  );
  const result = results[0];
  if (result?.status === "created" || result?.status === "exists") return result.status;
  throw new DomainError("conflict", `ledger_${result?.status ?? "no_result"}`, `Posting ${key} failed: ${result && "message" in result ? result.message : "no result"}`);
}
