import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accountingPeriods, type AccountingPeriod, type AccountingPeriodSummary } from "@/db/schema";
import { executeRows } from "@/db/execute";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { closeChecks, type CloseCheckResult } from "./close-checks";
import { monthAt, monthFromKey, previousMonth, type Month } from "./month";
import { writePeriodSnapshots } from "./write-period-snapshots";

/** The advisory lock key the closed-period triggers take shared (migration ledger_closed_periods). */
export const periodLockKey = 7411014;

export type CloseAccountingPeriodInput = { month: string; actor: Actor };
export type CloseAccountingPeriodResult = { period: AccountingPeriod; checks: CloseCheckResult[] };

/**
 * Closes a month: waits for postings in flight (exclusive lock), checks the order (the month
 * before is closed, or nothing was ever posted before this month), writes the month's snapshots,
 * runs the close checks and records who closed it, in one database transaction. A blocking check
 * that fails rolls everything back and answers `period_close_checks_failed` with the checks. From
 * the commit on, the database refuses any ledger row effective before the month's end.
 */
export async function closeAccountingPeriod(db: Db, input: CloseAccountingPeriodInput, options: { clock: Clock }): Promise<CloseAccountingPeriodResult> {
  const month = monthFromKey(input.month);
  const now = options.clock.now();
  if (month.end.getTime() > now.getTime()) {
    throw new DomainError("precondition", "period_not_ended", `${month.key} has not ended yet; it can be closed from ${month.end.toISOString().slice(0, 10)}.`);
  }
  return db.transaction(async (tx) => {
    await executeRows(tx, sql`select pg_advisory_xact_lock(${periodLockKey})`);
    const hasPrevious = await checkOrder(tx, month);
    const trialBalance = await writePeriodSnapshots(tx, month, { hasPrevious });
    const checks: CloseCheckResult[] = [];
    for (const check of closeChecks) checks.push(await check(tx, { month, trialBalance }));
    const failed = checks.filter((check) => check.blocking && !check.ok);
    if (failed.length > 0) {
      throw new DomainError("precondition", "period_close_checks_failed", `${month.key} cannot be closed: ${failed.map((check) => check.message).join(" ")}`, { checks });
    }
    const summary: AccountingPeriodSummary = {
      trialBalance: trialBalance.map((row) => ({ currency: row.currency, debits: row.debits.toString(), credits: row.credits.toString() })),
      accounts: trialBalance.reduce((sum, row) => sum + row.accounts, 0),
      checks: checks.map(({ code, ok, message }) => ({ code, ok, message })),
    };
    const values = { status: "closed" as const, closedAt: now, closedBy: input.actor.id, closedByLabel: input.actor.label, summary };
    const [period] = await tx
      .insert(accountingPeriods)
      .values({ periodStart: month.start, periodEnd: month.end, ...values })
      .onConflictDoUpdate({
        target: accountingPeriods.periodStart,
        set: { ...values, closeCount: sql`${accountingPeriods.closeCount} + 1` },
      })
      .returning();
    await recordAudit(tx, {
      actor: input.actor,
      action: "accounting_period.close",
      objectType: "accounting_period",
      objectId: month.key,
      after: { status: "closed", trialBalance: summary.trialBalance, checks: summary.checks },
    });
    return { period: period!, checks };
  });
}

/** Closed months are a prefix of time. Returns whether the month before has a snapshot to start from. */
async function checkOrder(db: Db, month: Month): Promise<boolean> {
  const [existing] = await db.select().from(accountingPeriods).where(eq(accountingPeriods.periodStart, month.start));
  if (existing?.status === "closed") {
    throw new DomainError("conflict", "period_already_closed", `${month.key} is already closed (by ${existing.closedByLabel} on ${existing.closedAt.toISOString().slice(0, 10)}).`);
  }
  const [state] = await executeRows<{ through_ms: string | null; earliest_ms: string | null }>(
    db,
    sql`select (extract(epoch from ledger_closed_through()) * 1000)::int8::text as through_ms,
               (select (extract(epoch from min(effective_at)) * 1000)::int8::text from ledger_entries) as earliest_ms`,
  );
  const through = state?.through_ms ? new Date(Number(state.through_ms)) : null;
  if (through) {
    if (through.getTime() === month.start.getTime()) return true;
    if (through.getTime() > month.start.getTime()) {
      throw new DomainError("conflict", "period_already_closed", `${month.key} is already closed: the books are closed through ${previousMonth(monthAt(through)).key}.`);
    }
    throw new DomainError("precondition", "earlier_period_open", `Close ${monthAt(through).key} first: months close in order.`);
  }
  const earliest = state?.earliest_ms ? new Date(Number(state.earliest_ms)) : null;
  if (earliest && earliest.getTime() < month.start.getTime()) {
    throw new DomainError("precondition", "earlier_period_open", `Close ${monthAt(earliest).key} first: the ledger has postings from then, and months close in order.`);
  }
  return false;
}
