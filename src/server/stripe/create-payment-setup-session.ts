import type Stripe from "stripe";
import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { syncCustomer } from "./sync-customer";

export type PaymentSetupSession = { url: string; stripeCustomerId: string; sessionId: string; createdAt: Date };

/**
 * A Stripe customer portal session where the customer adds or updates a payment method (the
 * customer is pushed to Stripe first when it is not there yet). The link is short-lived; ask for
 * a new one each time the customer opens billing settings.
 */
export async function createPaymentSetupSession(db: Db, stripe: Stripe, clock: Clock, input: { customerId: string; returnUrl?: string }): Promise<PaymentSetupSession> {
  const { stripeCustomerId } = await syncCustomer(db, stripe, clock, { customerId: input.customerId });
  try {
    const session = await stripe.billingPortal.sessions.create({ customer: stripeCustomerId, ...(input.returnUrl ? { return_url: input.returnUrl } : {}) });
    return { url: session.url, stripeCustomerId, sessionId: session.id, createdAt: new Date(session.created * 1000) };
  } catch (error) {
    const stripeError = error as { statusCode?: number; message?: string };
    if (stripeError.statusCode && stripeError.statusCode < 500) throw new DomainError("precondition", "payment_setup_unavailable", `Stripe refused the portal session: ${stripeError.message ?? "unknown"}. Configure the customer portal in Stripe's dashboard.`);
    throw new DomainError("unavailable", "stripe_unavailable", "Stripe did not answer; retry in a moment.");
  }
}
