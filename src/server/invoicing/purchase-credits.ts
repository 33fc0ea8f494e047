import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { creditGrants, invoices, subscriptions } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { issueGrant } from "@/server/grants/issue-grant";
import { invoiceLine } from "./build-invoice";
import { createInvoice } from "./create-invoice";
import { microsPerCent } from "./money";

export const purchaseCreditsInput = z.object({
  customerId: z.uuid(),
  /** Micro-units of the subscription's currency, whole cents, $1 to $1,000,000. */
  amountMicros: z.bigint().min(1_000_000n).max(1_000_000_000_000n),
  expiresAt: z.date().optional(),
  priority: z.number().int().min(0).max(1_000_000).optional(),
  reason: z.string().max(500).default(""),
  /** The caller's key: the same key returns the same purchase, never a second invoice. */
  idempotencyKey: z.string().min(1).max(160),
});
export type PurchaseCreditsInput = z.input<typeof purchaseCreditsInput>;
export type PurchaseCreditsResult = { invoiceId: string; invoiceNumber: string; grantId: string; created: boolean };

/**
 * A customer buys prepaid credit: in one database transaction, a finalized `credit_purchase`
 * invoice for the amount (numbered like every invoice) and a `paid` grant of the same amount whose
 * ledger posting (Dr the customer's receivable / Cr the grant) is the invoice's receivable. The
 * invoice then goes to Stripe as its own invoice (billing-sync's push, charged automatically),
 * and `invoice.paid` books the cash against that receivable — collected like any other charge,
 * so the receivable never holds an amount no invoice will collect. Idempotent by key.
 */
export async function purchaseCredits(db: Db, actor: Actor, clock: Clock, rawInput: PurchaseCreditsInput): Promise<PurchaseCreditsResult> {
  const input = parseInput(purchaseCreditsInput, rawInput);
  if (input.amountMicros % microsPerCent !== 0n) {
    throw new DomainError("invalid", "credit_purchase_amount_not_whole_cents", "A credit purchase is invoiced: give the amount in whole cents.");
  }
  const grantKey = `credit-purchase:${input.idempotencyKey}`;
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [existing] = await tx.select().from(creditGrants).where(eq(creditGrants.idempotencyKey, grantKey));
    if (existing) {
      if (existing.customerId !== input.customerId || existing.amountMicros !== input.amountMicros) {
        throw new DomainError("conflict", "credit_purchase_idempotency_conflict", "This idempotency key already bought a different credit; use a new key.");
      }
      const [invoice] = await tx.select({ id: invoices.id, number: invoices.number }).from(invoices).where(eq(invoices.id, existing.sourceReference));
      return { invoiceId: invoice!.id, invoiceNumber: invoice!.number!, grantId: existing.id, created: false };
    }
    const [subscription] = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled")));
    if (!subscription) {
      throw new DomainError("precondition", "credit_purchase_needs_subscription", "The customer has no live subscription to bill the credit purchase on; subscribe them first.");
    }
    const now = clock.now();
    const servicePeriod = { start: now, end: input.expiresAt ?? new Date(now.getTime() + 365 * 86_400_000) };
    const invoice = await createInvoice(
      tx,
      {
        subscriptionId: subscription.id,
        kind: "credit_purchase",
        period: servicePeriod,
        lines: [invoiceLine("credit_purchase", "Prepaid credit", servicePeriod, { amountMicros: input.amountMicros, quantity: "1", unitPrice: null })],
        ledgerTransactionIds: [],
      },
      { clock, actor },
    );
    const { grant } = await issueGrant(tx, actor, clock, {
      customerId: input.customerId,
      amountMicros: input.amountMicros,
      category: "paid",
      source: "purchase",
      sourceReference: invoice.invoiceId,
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      reason: input.reason || `Prepaid credit, invoice ${invoice.number}`,
      idempotencyKey: grantKey,
    });
    await tx.update(invoices).set({ ledgerTransactionIds: grant.ledgerTransactionId ? [grant.ledgerTransactionId] : [] }).where(eq(invoices.id, invoice.invoiceId));
    return { invoiceId: invoice.invoiceId, invoiceNumber: invoice.number, grantId: grant.id, created: true };
  });
}
