import type { Db } from "@/db/client";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { uuidPattern } from "./ids";
import { postTransactions } from "./post-transactions";

export type ReverseTransactionInput = {
  transactionId: string;
  /** Why; required, recorded in the audit log and the reversal's description. */
  reason: string;
  actor: Actor;
};
export type ReverseTransactionResult = {
  reversalId: string;
  /** False when the transaction had already been reversed: the first reversal is returned. */
  created: boolean;
};

/**
 * Posts the mirror image of a transaction's posted entries, once, and audits it in the same
 * database transaction. Reversing again returns the first reversal (`created: false`).
 */
export async function reverseTransaction(
  db: Db,
  input: ReverseTransactionInput,
  options: { clock: Clock },
): Promise<ReverseTransactionResult> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) {
    throw new DomainError("invalid", "ledger_reversal_reason_required", "Say why the transaction is reversed (1 to 500 characters).");
  }
  if (!uuidPattern.test(input.transactionId)) throw new DomainError("not_found", "ledger_transaction_not_found", "No such ledger transaction.");
  return db.transaction(async (tx) => {
    const { results } = await postTransactions(
      tx,
      [{ type: "reverse", idempotencyKey: `reversal:${input.transactionId}`, transactionId: input.transactionId, description: `Reversal: ${reason}`, actor: input.actor }],
      { clock: options.clock },
    );
    const result = results[0]!;
    if (result.status === "created") {
      await recordAudit(tx, {
        actor: input.actor,
        action: "ledger.transaction.reverse",
        objectType: "ledger_transaction",
        objectId: input.transactionId,
        reason,
        after: { reversalId: result.transactionId },
      });
      return { reversalId: result.transactionId, created: true };
    }
    const existing = result.transactionId;
    if (existing && (result.status === "exists" || result.status === "exists_with_different_content" || result.status === "already_reversed")) {
      return { reversalId: existing, created: false };
    }
    const message = "message" in result ? result.message : "The transaction could not be reversed.";
    const kind = result.status === "reversal_target_not_found" ? "not_found" : "precondition";
    throw new DomainError(kind, `ledger_${result.status}`, message);
  });
}
