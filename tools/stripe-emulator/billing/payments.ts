import type Stripe from "stripe";
import type { Engine } from "../engine";
import { cardDeclined, invalidRequest, type StripeApiError } from "../errors";
import { idOf } from "../objects/invoices";
import { buildCharge, buildInvoicePayment, buildPaymentIntent, declineMessage } from "../objects/payments";
import { afterAutomaticFailure } from "./dunning";
import { recordChargeBalance } from "./payouts";
import { markInvoicePaid } from "./invoicing";
import { onInvoicePaid, onInvoicePaymentFailed, onRetriesExhausted } from "./subscription-status";

export type PaymentOutcome = { paid: true } | { paid: false; error: StripeApiError };

/**
 * Charges an open invoice's remaining amount: one PaymentIntent per invoice (reused by retries),
 * a new Charge per attempt, and the events Stripe sends for each outcome.
 */
export function collectInvoice(
  engine: Engine,
  invoice: Stripe.Invoice,
  options: { automatic: boolean; paymentMethodId?: string },
): PaymentOutcome {
  const now = engine.nowForCustomer(idOf(invoice.customer));
  if (invoice.amount_remaining === 0) {
    markInvoicePaid(engine, invoice, now);
    onInvoicePaid(engine, invoice);
    return { paid: true };
  }
  const paymentMethod = resolvePaymentMethod(engine, invoice, options.paymentMethodId);
  invoice.attempt_count += 1;
  invoice.attempted = true;
  if (paymentMethod === null) {
    const error = invalidRequest(
      "This customer has no attached payment source or default payment method. Please consider adding a default payment method.",
      undefined,
      "invoice_no_payment_method_types",
    );
    return fail(engine, invoice, options.automatic, error);
  }
  const paymentIntent = paymentIntentFor(engine, invoice, paymentMethod.id, now);
  const behavior = engine.cardBehavior.get(paymentMethod.id) ?? { outcome: "succeed" as const };
  const declineCode = behavior.outcome === "decline" ? behavior.declineCode : null;
  const charge = buildCharge({
    id: engine.id("ch"),
    created: now,
    amount: invoice.amount_remaining,
    currency: invoice.currency,
    customer: idOf(invoice.customer) ?? "",
    paymentIntent: paymentIntent.id,
    paymentMethod,
    description: "Subscription update",
    declineCode,
  });
  engine.store.insert("charge", charge);
  paymentIntent.latest_charge = charge.id;
  paymentIntent.payment_method = paymentMethod.id;
  if (declineCode !== null) {
    paymentIntent.status = "requires_payment_method";
    paymentIntent.last_payment_error = {
      charge: charge.id,
      code: "card_declined",
      decline_code: declineCode,
      message: declineMessage(declineCode),
      payment_method: paymentMethod,
      type: "card_error",
    };
    engine.emit("charge.failed", charge);
    engine.emit("payment_intent.payment_failed", paymentIntent);
    const error = cardDeclined(declineCode, { charge: charge.id, payment_intent: structuredClone(paymentIntent) });
    return fail(engine, invoice, options.automatic, error);
  }
  paymentIntent.status = "succeeded";
  paymentIntent.amount_received = charge.amount;
  paymentIntent.last_payment_error = null;
  recordChargeBalance(engine, charge);
  engine.emit("charge.succeeded", charge);
  engine.emit("payment_intent.succeeded", paymentIntent);
  const invoicePayment = engine.store.all("invoice_payment").find((payment) => payment.payment.payment_intent === paymentIntent.id);
  if (invoicePayment !== undefined) {
    invoicePayment.status = "paid";
    invoicePayment.amount_paid = charge.amount;
    invoicePayment.status_transitions.paid_at = now;
    engine.emit("invoice_payment.paid", invoicePayment);
  }
  markInvoicePaid(engine, invoice, now, charge.amount);
  engine.emit("invoice.payment_succeeded", invoice);
  engine.dunning.delete(invoice.id);
  onInvoicePaid(engine, invoice);
  return { paid: true };
}

function fail(engine: Engine, invoice: Stripe.Invoice, automatic: boolean, error: StripeApiError): PaymentOutcome {
  if (automatic) afterAutomaticFailure(engine, invoice);
  engine.emit("invoice.payment_failed", invoice);
  onInvoicePaymentFailed(engine, invoice);
  if (automatic && invoice.next_payment_attempt === null) exhaustIfDue(engine, invoice);
  return { paid: false, error };
}

function exhaustIfDue(engine: Engine, invoice: Stripe.Invoice): void {
  const state = engine.dunning.get(invoice.id);
  if (state === undefined) return;
  if (state.automaticAttempts > engine.config.dunning.retryOffsetsSeconds.length) {
    engine.dunning.delete(invoice.id);
    onRetriesExhausted(engine, invoice);
  }
}

function resolvePaymentMethod(engine: Engine, invoice: Stripe.Invoice, explicit: string | undefined): Stripe.PaymentMethod | null {
  const subscriptionId = invoice.parent?.subscription_details?.subscription;
  const subscription = typeof subscriptionId === "string" ? engine.store.get("subscription", subscriptionId) : undefined;
  const customer = engine.store.get("customer", idOf(invoice.customer) ?? "");
  const candidates = [
    explicit,
    idOf(invoice.default_payment_method),
    idOf(subscription?.default_payment_method),
    idOf(customer?.invoice_settings.default_payment_method),
  ];
  for (const candidate of candidates) {
    if (candidate === null || candidate === undefined) continue;
    return engine.store.require("payment_method", candidate, "payment_method");
  }
  return null;
}

function paymentIntentFor(engine: Engine, invoice: Stripe.Invoice, paymentMethodId: string, now: number): Stripe.PaymentIntent {
  const existing = engine.store.all("invoice_payment").find((payment) => idOf(payment.invoice) === invoice.id);
  const existingIntent = existing?.payment.payment_intent;
  if (typeof existingIntent === "string") return engine.store.require("payment_intent", existingIntent);
  const paymentIntent = buildPaymentIntent({
    id: engine.id("pi"),
    created: now,
    amount: invoice.amount_remaining,
    currency: invoice.currency,
    customer: idOf(invoice.customer) ?? "",
    paymentMethod: paymentMethodId,
    description: invoice.billing_reason === "manual" ? null : "Subscription update",
    metadata: {},
  });
  engine.store.insert("payment_intent", paymentIntent);
  engine.emit("payment_intent.created", paymentIntent);
  engine.store.insert(
    "invoice_payment",
    buildInvoicePayment({
      id: engine.id("inpay"),
      created: now,
      invoice: invoice.id,
      amount: invoice.amount_remaining,
      currency: invoice.currency,
      paymentIntent: paymentIntent.id,
    }),
  );
  return paymentIntent;
}
