import { and, desc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, dunningCases, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { recordPaymentFailureFacts } from "./record-payment-failure";

export const demoDunningInvoiceId = "in_demo_dunning_0001";
const dayMs = 86_400_000;

/**
 * One demo customer in dunning, without Stripe: a failed renewal fixture (two declined attempts,
 * a third retry tomorrow, grace ending in three days). Idempotent: keyed by the fixture invoice id.
 */
export async function seedDunningDemo(db: Db, clock: Clock): Promise<string> {
  const [existing] = await db.select({ id: dunningCases.id }).from(dunningCases).where(eq(dunningCases.stripeInvoiceId, demoDunningInvoiceId));
  if (existing) return "already there";
  // The last team customer with a live subscription (other demos take the first ones).
  const [customer] = await db
    .select({ id: customers.id, externalId: customers.externalId })
    .from(customers)
    .innerJoin(subscriptions, and(eq(subscriptions.customerId, customers.id), ne(subscriptions.status, "canceled")))
    .where(eq(customers.kind, "team"))
    .orderBy(desc(customers.externalId))
    .limit(1);
  if (!customer) return "skipped (no subscribed team customer)";
  const now = clock.now().getTime();
  const firstFailedAt = new Date(now - 4 * dayMs);
  const base = {
    customerId: customer.id,
    stripeInvoiceId: demoDunningInvoiceId,
    stripeSubscriptionId: null,
    invoiceStatus: "open",
    amountRemainingMicros: 49_000_000n,
    currency: "usd",
    hostedInvoiceUrl: "https://invoice.stripe.com/i/demo_dunning_0001",
  };
  await recordPaymentFailureFacts(db, clock, { ...base, attempt: 1, attemptCount: 1, failedAt: firstFailedAt, nextRetryAt: new Date(now - 1 * dayMs) });
  await recordPaymentFailureFacts(db, clock, { ...base, attempt: 2, attemptCount: 2, failedAt: new Date(now - 1 * dayMs), nextRetryAt: new Date(now + 1 * dayMs) });
  return `${customer.externalId} in dunning (invoice ${demoDunningInvoiceId})`;
}
