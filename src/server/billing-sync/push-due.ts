import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoices, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { sendMeterEvents } from "./meter-events";
import { pushInvoiceToStripe, type PushInvoiceResult } from "./push-invoice";

export type PushDueResult = { pushed: PushInvoiceResult[]; failed: { invoiceId: string; error: string }[]; nextAfterId: string | null };

const pageMax = 200;

/**
 * Pushes every finalized period or threshold invoice (the latter as a standalone Stripe invoice) not linked to a Stripe invoice yet (subscription synced
 * to Stripe), a bounded page at a time in id order, and sends its meter events. One invoice's
 * failure is reported and the rest go on; a rerun retries what failed (pushes are idempotent).
 */
export async function pushDueInvoices(db: Db, stripe: Stripe, input: { limit?: number; afterId?: string }, options: { clock: Clock; log?: (message: string) => void }): Promise<PushDueResult> {
  const limit = Math.min(Math.max(input.limit ?? pageMax, 1), pageMax);
  const due = await db
    .select({ id: invoices.id, kind: invoices.kind })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(
      and(
        inArray(invoices.kind, ["period", "threshold", "credit_purchase"]),
        eq(invoices.status, "finalized"),
        isNull(invoices.stripeInvoiceId),
        isNotNull(subscriptions.stripeSubscriptionId),
        input.afterId === undefined ? sql`true` : gt(invoices.id, input.afterId),
      ),
    )
    .orderBy(asc(invoices.id))
    .limit(limit);
  const result: PushDueResult = { pushed: [], failed: [], nextAfterId: due.length === limit ? (due.at(-1)?.id ?? null) : null };
  for (const { id, kind } of due) {
    try {
      result.pushed.push(await pushInvoiceToStripe(db, stripe, { invoiceId: id }, options));
      // Meter events follow the period invoice (the whole period's hours); a threshold invoice sends none.
      if (kind === "period") await sendMeterEvents(db, stripe, { invoiceId: id }, options);
    } catch (error) {
      const message = isDomainError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      result.failed.push({ invoiceId: id, error: message });
      options.log?.(`invoice ${id}: ${message}`);
    }
  }
  return result;
}
