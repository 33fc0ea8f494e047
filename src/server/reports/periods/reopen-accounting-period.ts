import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accountingPeriods, ledgerPeriodActivity, ledgerPeriodBalances, ledgerPeriodOpenItems, type AccountingPeriod } from "@/db/schema";
import { executeRows } from "@/db/execute";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { periodLockKey } from "./close-accounting-period";
import { monthFromKey } from "./month";

export type ReopenAccountingPeriodInput = { month: string; reason: string; actor: Actor };

/**
 * Reopens the latest closed month (admin, with a reason; audited): its snapshots are removed and
 * postings may take effect in it again. A month with a later closed month stays closed — reopen
 * the later one first, so closed months stay a prefix of time.
 */
export async function reopenAccountingPeriod(db: Db, input: ReopenAccountingPeriodInput, options: { clock: Clock }): Promise<AccountingPeriod> {
  const month = monthFromKey(input.month);
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) {
    throw new DomainError("invalid", "reopen_reason_required", "Say why the month is reopened (3 to 500 characters); it is kept in the audit log.");
  }
  return db.transaction(async (tx) => {
    await executeRows(tx, sql`select pg_advisory_xact_lock(${periodLockKey})`);
    const [existing] = await tx.select().from(accountingPeriods).where(eq(accountingPeriods.periodStart, month.start)).for("update");
    if (!existing || existing.status !== "closed") throw new DomainError("precondition", "period_not_closed", `${month.key} is not closed.`);
    const [later] = await tx
      .select({ start: accountingPeriods.periodStart })
      .from(accountingPeriods)
      .where(and(eq(accountingPeriods.status, "closed"), sql`${accountingPeriods.periodStart} > ${month.start.toISOString()}::timestamptz`))
      .limit(1);
    if (later) {
      throw new DomainError("precondition", "later_period_closed", `Reopen ${later.start.toISOString().slice(0, 7)} first: only the latest closed month can be reopened.`);
    }
    const [period] = await tx
      .update(accountingPeriods)
      .set({ status: "reopened", reopenedAt: options.clock.now(), reopenedBy: input.actor.id, reopenedByLabel: input.actor.label, reopenReason: reason })
      .where(eq(accountingPeriods.periodStart, month.start))
      .returning();
    await tx.delete(ledgerPeriodBalances).where(eq(ledgerPeriodBalances.periodStart, month.start));
    await tx.delete(ledgerPeriodActivity).where(eq(ledgerPeriodActivity.periodStart, month.start));
    await tx.delete(ledgerPeriodOpenItems).where(eq(ledgerPeriodOpenItems.periodStart, month.start));
    await recordAudit(tx, {
      actor: input.actor,
      action: "accounting_period.reopen",
      objectType: "accounting_period",
      objectId: month.key,
      reason,
      before: { status: "closed", closedBy: existing.closedByLabel, closedAt: existing.closedAt },
      after: { status: "reopened" },
    });
    return period!;
  });
}
