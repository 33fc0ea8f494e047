import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { reconciliationDiscrepancies, reconciliationRuns } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { getRequestId } from "@/server/observability/request-context";
import { amountMicrosOf, differenceOf, discrepancyKinds, type DiscrepancyKind, type FoundDiscrepancy, type ReconciliationScope } from "./discrepancy";
import { findGrantDiscrepancies } from "./find-grant-discrepancies";
import { findInvoiceLedgerDiscrepancies } from "./find-invoice-ledger";
import { findInvoiceStripeDiscrepancies } from "./find-invoice-stripe-discrepancies";
import { findReceivableDiscrepancies } from "./find-receivable-discrepancies";
import { findEventRollupDiscrepancies, findRollupInvoiceDiscrepancies } from "./find-rollup-discrepancies";
import { findStripeCashDiscrepancies } from "./find-stripe-cash-discrepancies";
import { computeInvoiceAccuracy, type InvoiceAccuracyMonth } from "./invoice-accuracy";

const finders: Record<DiscrepancyKind, (db: Db, scope: ReconciliationScope) => Promise<FoundDiscrepancy[]>> = {
  events_rollups: findEventRollupDiscrepancies,
  rollups_invoices: findRollupInvoiceDiscrepancies,
  invoice_ledger: findInvoiceLedgerDiscrepancies,
  invoice_stripe: findInvoiceStripeDiscrepancies,
  stripe_cash: findStripeCashDiscrepancies,
  receivable_open_invoices: (db) => findReceivableDiscrepancies(db),
  grant_balance: findGrantDiscrepancies,
};

/** Kinds whose finder looks only at the window; the others compare current state, whatever its age. */
const windowedKinds: ReadonlySet<DiscrepancyKind> = new Set(["events_rollups", "rollups_invoices", "invoice_ledger", "invoice_stripe", "stripe_cash"]);

/** The default window: the last 35 days (the metering lateness window) to now. */
export const defaultWindowDays = 35;
const windowDaysMax = 400;

export type ReconcileInput = { from?: Date; to?: Date; kinds?: readonly DiscrepancyKind[] };

export type ReconcileResult = {
  runId: string;
  from: Date;
  to: Date;
  found: number;
  opened: number;
  stillOpen: number;
  resolved: number;
  /** Open discrepancies after this run, by kind (every kind listed). */
  openByKind: Record<DiscrepancyKind, number>;
  invoiceAccuracy: InvoiceAccuracyMonth[];
};

/**
 * Compares every pair of books that must agree and records what differs: a new difference opens
 * a discrepancy (kind, objects, expected, actual, difference, first seen); one seen again gets
 * its last-seen time and current figures; an open one not found again — within what this run
 * checked — is resolved with the time. Nothing is deleted and no money moves. Then recomputes
 * invoice accuracy. Safe to run concurrently with itself (the open-key index decides) and again.
 */
export async function reconcile(db: Db, clock: Clock, input: ReconcileInput = {}): Promise<ReconcileResult> {
  const now = clock.now();
  const to = input.to ?? now;
  const from = input.from ?? new Date(to.getTime() - defaultWindowDays * 86_400_000);
  if (!(from < to)) throw new DomainError("invalid", "reconciliation_window_invalid", "The window's start must be before its end.");
  if (to.getTime() - from.getTime() > windowDaysMax * 86_400_000) {
    throw new DomainError("invalid", "reconciliation_window_too_long", `Reconcile at most ${windowDaysMax} days at a time.`);
  }
  const kinds = input.kinds && input.kinds.length > 0 ? [...new Set(input.kinds)] : [...discrepancyKinds];
  const scope: ReconciliationScope = { from, to, now };
  const [run] = await db
    .insert(reconciliationRuns)
    .values({ requestId: getRequestId() ?? null, periodStart: from, periodEnd: to, startedAt: now, kinds })
    .returning({ id: reconciliationRuns.id });
  const runId = run!.id;

  const found: FoundDiscrepancy[] = [];
  for (const kind of kinds) found.push(...(await finders[kind](db, scope)));
  const { opened, stillOpen, resolved } = await recordDiscrepancies(db, { runId, now, kinds, scope, found });
  const invoiceAccuracy = await computeInvoiceAccuracy(db, { from, to, now });

  const openRows = await db
    .select({ kind: reconciliationDiscrepancies.kind, open: sql<number>`count(*)::int` })
    .from(reconciliationDiscrepancies)
    .where(eq(reconciliationDiscrepancies.status, "open"))
    .groupBy(reconciliationDiscrepancies.kind);
  const openByKind = Object.fromEntries(discrepancyKinds.map((kind) => [kind, openRows.find((row) => row.kind === kind)?.open ?? 0])) as Record<DiscrepancyKind, number>;
  await db
    .update(reconciliationRuns)
    .set({ finishedAt: clock.now(), found: found.length, opened, resolved, summary: { openByKind, stillOpen } })
    .where(eq(reconciliationRuns.id, runId));
  return { runId, from, to, found: found.length, opened, stillOpen, resolved, openByKind, invoiceAccuracy };
}

async function recordDiscrepancies(
  db: Db,
  input: { runId: string; now: Date; kinds: readonly DiscrepancyKind[]; scope: ReconciliationScope; found: FoundDiscrepancy[] },
): Promise<{ opened: number; stillOpen: number; resolved: number }> {
  const { runId, now, found } = input;
  const unique = new Map(found.map((item) => [item.key, item]));
  let opened = 0;
  let stillOpen = 0;
  for (const item of unique.values()) {
    const figures = {
      expected: item.expected,
      actual: item.actual,
      difference: differenceOf(item),
      amountMicros: amountMicrosOf(item),
      description: item.description,
      objects: item.objects,
      lastSeenAt: now,
      lastRunId: runId,
    };
    const [inserted] = await db
      .insert(reconciliationDiscrepancies)
      .values({
        ...figures,
        kind: item.kind,
        key: item.key,
        status: "open",
        customerId: item.customerId ?? null,
        invoiceId: item.invoiceId ?? null,
        unit: item.unit,
        currency: item.currency ?? null,
        periodStart: item.periodStart ?? null,
        periodEnd: item.periodEnd ?? null,
        firstSeenAt: now,
        firstRunId: runId,
      })
      .onConflictDoNothing({ target: reconciliationDiscrepancies.key, where: sql`status = 'open'` })
      .returning({ id: reconciliationDiscrepancies.id });
    if (inserted) {
      opened++;
      continue;
    }
    stillOpen++;
    await db
      .update(reconciliationDiscrepancies)
      .set(figures)
      .where(and(eq(reconciliationDiscrepancies.key, item.key), eq(reconciliationDiscrepancies.status, "open")));
  }
  // Resolve what this run checked and did not find again: every open one of a current-state kind,
  // and of a windowed kind those whose period lies inside the window (or that name no period).
  const seen = [...unique.keys()];
  const windowed = input.kinds.filter((kind) => windowedKinds.has(kind));
  const current = input.kinds.filter((kind) => !windowedKinds.has(kind));
  const inScope = sql`(${reconciliationDiscrepancies.kind} in ${current.length > 0 ? sql`(${sql.join(current.map((kind) => sql`${kind}`), sql`, `)})` : sql`(null)`}
    or (${reconciliationDiscrepancies.kind} in ${windowed.length > 0 ? sql`(${sql.join(windowed.map((kind) => sql`${kind}`), sql`, `)})` : sql`(null)`}
        and (${reconciliationDiscrepancies.periodEnd} is null
             or (${reconciliationDiscrepancies.periodEnd} > ${input.scope.from.toISOString()}::timestamptz
                 and ${reconciliationDiscrepancies.periodStart} < ${input.scope.to.toISOString()}::timestamptz))))`;
  const resolvedRows = await db
    .update(reconciliationDiscrepancies)
    .set({ status: "resolved", resolvedAt: now, lastRunId: runId })
    .where(and(eq(reconciliationDiscrepancies.status, "open"), inScope, seen.length > 0 ? sql`${reconciliationDiscrepancies.key} not in (${sql.join(seen.map((key) => sql`${key}`), sql`, `)})` : sql`true`))
    .returning({ id: reconciliationDiscrepancies.id });
  return { opened, stillOpen, resolved: resolvedRows.length };
}

