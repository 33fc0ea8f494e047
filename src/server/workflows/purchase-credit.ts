import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { invoices, subscriptions } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { pushInvoiceToStripe } from "@/server/billing-sync/push-invoice";
import type { Clock } from "@/server/clock";
import { purchaseCredits, type PurchaseCreditsInput, type PurchaseCreditsResult } from "@/server/invoicing/purchase-credits";
import { logger } from "@/server/observability/logger";
import type { StripeSyncOutcome } from "./sync-subscription-to-stripe";

export type PurchaseCreditResult = PurchaseCreditsResult & { stripe: StripeSyncOutcome };

/**
 * A customer buys prepaid credit (invoicing `purchaseCredits`: the finalized `credit_purchase`
 * invoice and the paid grant commit together), then the invoice goes to Stripe at once as its own
 * invoice, charged automatically, so the customer pays now rather than at the next push run. The
 * purchase is committed either way: a push that fails (Stripe away, the subscription not yet in
 * Stripe) is logged and left to `npm run job -- billing:push-due`, which pushes every
 * finalized invoice not yet in Stripe. A retry with the same key pushes what an earlier attempt
 * did not.
 */
export async function purchaseCredit(db: Db, stripe: Stripe | null, actor: Actor, clock: Clock, input: PurchaseCreditsInput): Promise<PurchaseCreditResult> {
  const purchase = await purchaseCredits(db, actor, clock, input);
  if (stripe === null) return { ...purchase, stripe: "skipped" };
  const [row] = await db
    .select({ stripeInvoiceId: invoices.stripeInvoiceId, stripeSubscriptionId: subscriptions.stripeSubscriptionId })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(eq(invoices.id, purchase.invoiceId));
  if (!row || row.stripeInvoiceId !== null) return { ...purchase, stripe: row ? "synced" : "skipped" };
  if (row.stripeSubscriptionId === null) return { ...purchase, stripe: "skipped" };
  try {
    await pushInvoiceToStripe(db, stripe, { invoiceId: purchase.invoiceId }, { clock });
    return { ...purchase, stripe: "synced" };
  } catch (error) {
    logger.warn({ err: error, component: "workflows", invoiceId: purchase.invoiceId }, "credit purchase invoice not pushed to Stripe yet; billing:push-due retries it");
    return { ...purchase, stripe: "failed" };
  }
}
