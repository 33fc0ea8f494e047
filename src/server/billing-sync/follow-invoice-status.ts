import { and, eq, inArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoices, type InvoiceStatus } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { emitInvoiceEvents } from "@/server/invoicing/invoice-events";

export type FollowInvoiceStatusResult = { invoiceId: string; status: InvoiceStatus } | null;

const terminalStatuses = ["paid", "void", "uncollectible"] as const;

/** Which Tally statuses may move to each terminal status: forwards only (paid and void are final). */
const movesFrom: Record<"paid" | "void" | "uncollectible", InvoiceStatus[]> = {
  paid: ["finalized", "uncollectible"],
  void: ["finalized", "uncollectible"],
  uncollectible: ["finalized"],
};

/**
 * Tally's invoice status follows Stripe's: the Tally invoice linked to `stripeInvoice`
 * (`invoices.stripe_invoice_id`) moves to `paid` / `void` / `uncollectible` with Stripe's
 * transition time (else now). The status is read from the re-fetched invoice, not the event, and
 * the update only moves forwards (`finalized → uncollectible → paid | void`), so duplicate and
 * reordered events change nothing once the status is reached: a paid invoice stays paid.
 * Returns the invoice moved, or null (not linked, not a terminal status, or already there/past it).
 */
export async function followStripeInvoiceStatus(db: Db, clock: Clock, stripeInvoice: Pick<Stripe.Invoice, "id" | "status" | "status_transitions">): Promise<FollowInvoiceStatusResult> {
  const status = terminalStatuses.find((candidate) => candidate === stripeInvoice.status);
  if (status === undefined) return null;
  const transitions = stripeInvoice.status_transitions;
  const seconds = status === "paid" ? transitions?.paid_at : status === "void" ? transitions?.voided_at : transitions?.marked_uncollectible_at;
  const at = typeof seconds === "number" ? new Date(seconds * 1000) : clock.now();
  const set = status === "paid" ? { paidAt: at } : status === "void" ? { voidedAt: at } : { uncollectibleAt: at };
  const [moved] = await db
    .update(invoices)
    .set({ status, ...set, updatedAt: clock.now() })
    .where(and(eq(invoices.stripeInvoiceId, stripeInvoice.id), inArray(invoices.status, movesFrom[status])))
    .returning({ id: invoices.id });
  if (moved && status === "paid") await emitInvoiceEvents(db, "invoice.paid", [moved.id], clock.now());
  return moved ? { invoiceId: moved.id, status } : null;
}
