import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts, ledgerEntries, ledgerTransactions, type LedgerTransaction } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { uuidPattern } from "./ids";

export type GetTransactionResult = {
  transaction: LedgerTransaction;
  entries: Array<{ id: bigint; accountId: string; accountCode: string; currency: string; amount: bigint; phase: string; direction: "debit" | "credit" }>;
  /** The reversal of this transaction, or the resolution of this hold, when there is one. */
  reversedBy: string | null;
  resolvedBy: string | null;
};

/** One transaction with its entries (≤ 256: a hold resolution has two per held entry). */
export async function getTransaction(db: Db, transactionId: string): Promise<GetTransactionResult> {
  const notFound = new DomainError("not_found", "ledger_transaction_not_found", "No such ledger transaction.");
  if (!uuidPattern.test(transactionId)) throw notFound;
  const [transaction] = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.id, transactionId));
  if (!transaction) throw notFound;
  const entries = await db
    .select({ id: ledgerEntries.id, accountId: ledgerEntries.accountId, accountCode: ledgerAccounts.code, currency: ledgerEntries.currency, amount: ledgerEntries.amount, phase: ledgerEntries.phase })
    .from(ledgerEntries)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(eq(ledgerEntries.transactionId, transactionId))
    .orderBy(asc(ledgerEntries.id))
    .limit(256);
  const [reversal] = await db.select({ id: ledgerTransactions.id }).from(ledgerTransactions).where(eq(ledgerTransactions.reversesTransactionId, transactionId));
  const [resolution] = await db.select({ id: ledgerTransactions.id }).from(ledgerTransactions).where(eq(ledgerTransactions.pendingTransactionId, transactionId));
  return {
    transaction,
    entries: entries.map((entry) => ({
      ...entry,
      direction: entry.amount > 0n ? ("debit" as const) : ("credit" as const),
      amount: entry.amount > 0n ? entry.amount : -entry.amount,
    })),
    reversedBy: reversal?.id ?? null,
    resolvedBy: resolution?.id ?? null,
  };
}
