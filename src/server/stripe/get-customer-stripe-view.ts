import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoices as tallyInvoices, stripeCustomers, stripeInvoices, stripePaymentMethods, stripeSubscriptions } from "@/db/schema";
import { listWebhookEvents, type WebhookEventSummary } from "./list-webhook-events";
import { stripeMinorToMicros } from "./money";
import { stripeDashboardUrl, type StripeMode } from "./stripe-client";

export const customerStripeViewLimits = { invoicesMax: 24, paymentMethodsMax: 10, eventsMax: 20 } as const;

export type CustomerStripeView = {
  stripeCustomerId: string;
  dashboardUrl: string | null;
  subscription: { stripeId: string; status: string; quantity: number | null; cancelAtPeriodEnd: boolean; currentPeriodEnd: Date | null } | null;
  paymentMethods: { stripeId: string; brand: string | null; last4: string | null; expMonth: number | null; expYear: number | null }[];
  /** Amounts in Tally micro-units for display (converted once, in money.ts), plus Stripe's own minor units. */
  invoices: { stripeId: string; number: string | null; status: string; currency: string; totalMicros: bigint; amountPaidMicros: bigint; totalMinor: bigint; created: Date; hostedInvoiceUrl: string | null; tallyInvoice: { id: string; number: string | null } | null }[];
  events: WebhookEventSummary[];
};

/** What the customer page's Stripe section shows; null when the customer was never synced. */
export async function getCustomerStripeView(db: Db, customerId: string, mode: StripeMode): Promise<CustomerStripeView | null> {
  const [customer] = await db
    .select()
    .from(stripeCustomers)
    .where(and(eq(stripeCustomers.customerId, customerId), eq(stripeCustomers.deleted, false)))
    .limit(1);
  if (!customer) return null;
  const [subscription] = await db
    .select()
    .from(stripeSubscriptions)
    .where(eq(stripeSubscriptions.stripeCustomerId, customer.stripeId))
    .orderBy(desc(stripeSubscriptions.stripeCreated))
    .limit(1);
  const paymentMethods = await db
    .select()
    .from(stripePaymentMethods)
    .where(and(eq(stripePaymentMethods.stripeCustomerId, customer.stripeId), eq(stripePaymentMethods.detached, false)))
    .limit(customerStripeViewLimits.paymentMethodsMax);
  const invoices = await db
    .select()
    .from(stripeInvoices)
    .where(eq(stripeInvoices.stripeCustomerId, customer.stripeId))
    .orderBy(desc(stripeInvoices.stripeCreated), desc(stripeInvoices.stripeId))
    .limit(customerStripeViewLimits.invoicesMax);
  const stripeInvoiceIds = invoices.map((invoice) => invoice.stripeId);
  const linked = stripeInvoiceIds.length === 0 ? [] : await db.select({ id: tallyInvoices.id, number: tallyInvoices.number, stripeInvoiceId: tallyInvoices.stripeInvoiceId }).from(tallyInvoices).where(inArray(tallyInvoices.stripeInvoiceId, stripeInvoiceIds));
  const events = await listWebhookEvents(db, { customerId, limit: customerStripeViewLimits.eventsMax });
  return {
    stripeCustomerId: customer.stripeId,
    dashboardUrl: stripeDashboardUrl(mode, "customers", customer.stripeId),
    subscription: subscription
      ? { stripeId: subscription.stripeId, status: subscription.status, quantity: subscription.quantity, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd, currentPeriodEnd: subscription.currentPeriodEnd }
      : null,
    paymentMethods: paymentMethods.map((method) => ({ stripeId: method.stripeId, brand: method.brand, last4: method.last4, expMonth: method.expMonth, expYear: method.expYear })),
    invoices: invoices.map((invoice) => ({
      stripeId: invoice.stripeId,
      number: invoice.number,
      status: invoice.status,
      currency: invoice.currency,
      totalMicros: stripeMinorToMicros(invoice.total, invoice.currency),
      amountPaidMicros: stripeMinorToMicros(invoice.amountPaid, invoice.currency),
      totalMinor: invoice.total,
      created: invoice.stripeCreated,
      hostedInvoiceUrl: invoice.hostedInvoiceUrl,
      tallyInvoice: linked.find((each) => each.stripeInvoiceId === invoice.stripeId) ?? null,
    })),
    events: events.items,
  };
}
