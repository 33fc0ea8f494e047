import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planVersions, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { periodContaining } from "@/server/customers/billing-period";
import type { InvoiceLineDraft, Period } from "./build-invoice";
import { computeInvoiceDrafts } from "./compute-invoice-drafts";

export type UnbilledUsagePreview = {
  subscriptionId: string;
  currency: string;
  period: Period;
  /** Usage counted up to here (the end of the current rollup hour). */
  asOf: Date;
  lines: InvoiceLineDraft[];
  /** Usage not yet invoiced (net of percent discounts; before credits), micro-units. */
  unbilledMicros: bigint;
};

const hourMs = 3_600_000;

/**
 * What the customer's current period would bill for usage so far, rated by the same code as the
 * close (allowances, tiers continuing after any threshold invoice) — computed, never persisted,
 * no credits burned. Null when the customer has no live subscription.
 */
export async function previewUnbilledUsage(db: Db, input: { customerId: string }, options: { clock: Clock }): Promise<UnbilledUsagePreview | null> {
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
  const [result] = await computeInvoiceDrafts(db, [{ subscriptionId: row.id, kind: "threshold", period, cutoff: asOf }], { lock: false, now });
  if (!result || result.status !== "computed") return { subscriptionId: row.id, currency: row.currency, period, asOf, lines: [], unbilledMicros: 0n };
  const lines = result.invoice.draft.lines;
  return { subscriptionId: row.id, currency: row.currency, period, asOf, lines, unbilledMicros: lines.reduce((sum, line) => sum + line.amountMicros, 0n) };
}
