import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerAccounts } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";

export type CloseAccountInput = { accountId: string; reason: string; actor: Actor };

/** Closes an account: later postings to it are refused with `account_closed`. Audited; closing twice is a no-op. */
export async function closeAccount(db: Db, input: CloseAccountInput, options: { clock: Clock }): Promise<void> {
  await db.transaction(async (tx) => {
    const [account] = await tx.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, input.accountId)).for("update");
    if (!account) throw new DomainError("not_found", "ledger_account_not_found", "No such ledger account.");
    if (account.closed) return;
    await tx.update(ledgerAccounts).set({ closed: true, closedAt: options.clock.now() }).where(eq(ledgerAccounts.id, account.id));
    await recordAudit(tx, {
      actor: input.actor,
      action: "ledger.account.close",
      objectType: "ledger_account",
      objectId: account.id,
      reason: input.reason,
      before: { closed: false },
      after: { closed: true },
    });
  });
}
