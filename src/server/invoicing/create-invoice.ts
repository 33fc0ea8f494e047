import crypto from "node:crypto";
import { emitInvoiceEvents } from "./invoice-events";
import { and, eq, max, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoices, planVersions, subscriptions, type InvoiceKind } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { totalsOf, type InvoiceLineDraft, type InvoiceTotals, type Period } from "./build-invoice";
import { allocateInvoiceNumbers, insertInvoiceLines, insertInvoiceRows } from "./close-periods";

export type CreateInvoiceInput = {
  subscriptionId: string;
  /** Invoices that are not a period's close (those come from `closePeriods`). */
  kind: Exclude<InvoiceKind, "period">;
  /** What the invoice covers, e.g. [change time, period end) for a proration. */
  period: Period;
  /** Lines built with `invoiceLine` (amounts rounded to cents once). */
  lines: readonly InvoiceLineDraft[];
  /**
   * The ledger postings that already booked these lines (the caller posted them in the same
   * transaction, keyed by its own id): recorded, never posted again.
   */
  ledgerTransactionIds: readonly string[];
};

export type CreateInvoiceResult = { invoiceId: string; number: string; sequence: number; totals: InvoiceTotals };

/**
 * Creates one finalized invoice with the given lines, numbered from the same gapless counter as
 * period invoices (`TLY-…`), with the next sequence of its (subscription, period start, kind).
 * Run it inside the transaction that posts the lines to the ledger, so the posting and the
 * invoice commit (or roll back) together; the subscription row is locked as `closePeriods` does.
 */
export async function createInvoice(db: Db, input: CreateInvoiceInput, options: { clock: Clock; actor: Actor }): Promise<CreateInvoiceResult> {
  if (input.lines.length === 0) throw new DomainError("invalid", "invoice_without_lines", "An invoice needs at least one line.");
  if (input.period.end < input.period.start) throw new DomainError("invalid", "invalid_period", "The invoice period ends before it starts.");
  const [subscription] = await db.select().from(subscriptions).where(eq(subscriptions.id, input.subscriptionId)).for("update");
  if (!subscription) throw new DomainError("not_found", "subscription_not_found", `Subscription ${input.subscriptionId} does not exist.`);
  const [last] = await db
    .select({ sequence: max(invoices.sequence) })
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.kind, input.kind), sql`${invoices.periodStart} = ${input.period.start.toISOString()}::timestamptz`));
  const sequence = (last?.sequence ?? 0) + 1;
  const [currency] = await db.select({ currency: planVersions.currency }).from(planVersions).where(eq(planVersions.id, subscription.planVersionId));
  if (!currency) throw new DomainError("not_found", "plan_version_not_found", `Plan version ${subscription.planVersionId} does not exist.`);
  const totals = totalsOf(input.lines);
  const [number] = await allocateInvoiceNumbers(db, 1);
  const invoiceId = crypto.randomUUID();
  const now = options.clock.now();
  await insertInvoiceRows(
    db,
    [{ invoiceId, number: number!, customerId: subscription.customerId, subscriptionId: subscription.id, planVersionId: subscription.planVersionId, kind: input.kind, sequence, currency: currency.currency, periodStart: input.period.start, periodEnd: input.period.end, totals }],
    `${options.actor.type}:${options.actor.id}`,
    now,
  );
  await insertInvoiceLines(db, [{ invoiceId, lines: input.lines }]);
  await emitInvoiceEvents(db, "invoice.finalized", [invoiceId], now);
  await db.update(invoices).set({ ledgerTransactionIds: [...input.ledgerTransactionIds] }).where(eq(invoices.id, invoiceId));
  await recordAudit(db, { actor: options.actor, action: "invoice.create", objectType: "invoice", objectId: invoiceId, metadata: { kind: input.kind, number: number!, totalCents: totals.totalCents.toString() } });
  return { invoiceId, number: number!, sequence, totals };
}
