import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planVersions, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { periodContaining } from "@/server/customers/billing-period";
import { totalsOf, type InvoiceLineDraft, type InvoiceTotals, type Period } from "./build-invoice";
import { computeInvoiceDrafts } from "./compute-invoice-drafts";

export type UpcomingInvoicePreview = { subscriptionId: string; currency: string; period: Period; asOf: Date; lines: InvoiceLineDraft[]; totals: InvoiceTotals };

const hourMs = 3_600_000;

/**
 * What the current period's invoice would bill if the period closed now, computed by the close's
 * own code (usage so far net of what threshold invoices already billed, late usage of earlier
 * periods, the next period's fee in advance, discounts) before credits — never persisted. Null
 * without a live subscription.
 */
export async function previewUpcomingInvoice(db: Db, input: { customerId: string }, options: { clock: Clock }): Promise<UpcomingInvoicePreview | null> {
  const now = options.clock.now();
  const [row] = await db
    .select({ id: subscriptions.id, anchor: subscriptions.billingAnchor, interval: planVersions.billingInterval, currency: planVersions.currency })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled")))
    .limit(1);
  if (!row) return null;
  const current = periodContaining(row.anchor, row.interval, now);
  const period = { start: current.start, end: current.end };
  const asOf = new Date(Math.min(period.end.getTime(), Math.ceil((now.getTime() + 1) / hourMs) * hourMs));
  const [result] = await computeInvoiceDrafts(db, [{ subscriptionId: row.id, kind: "period", period, cutoff: asOf }], { lock: false, now });
  const lines = result?.status === "computed" ? result.invoice.draft.lines : [];
  return { subscriptionId: row.id, currency: row.currency, period, asOf, lines, totals: totalsOf(lines) };
}
