import type Stripe from "stripe";
import type { Engine } from "../engine";
import { recordChargeBalance, recordRefundBalance } from "../billing/payouts";
import { cardDeclined, invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import { buildCharge, buildPaymentIntent, buildRefund, declineMessage } from "../objects/payments";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";

/** Refunds a succeeded charge, in full or in part; emits refund.created and charge.refunded. */
export function refundCharge(engine: Engine, charge: Stripe.Charge, amount: number | undefined, reason: Stripe.Refund.Reason | null, metadata: Record<string, string>): Stripe.Refund {
  const refundable = charge.amount_captured - charge.amount_refunded;
  if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, "charge");
  const value = amount ?? refundable;
  if (value <= 0 || value > refundable)
    throw invalidRequest(`Refund amount (${value}) is greater than unrefunded amount on charge (${refundable})`, "amount", "amount_too_large");
  const refund = buildRefund({
    id: engine.id("re"),
    created: engine.nowForCustomer(idOf(charge.customer)),
    amount: value,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent: idOf(charge.payment_intent),
    reason,
    metadata,
  });
  engine.store.insert("refund", refund);
  recordRefundBalance(engine, refund);
  engine.emit("refund.created", refund);
  engine.track(charge, "charge.refunded", () => {
    charge.amount_refunded += value;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    if (charge.refunds !== null && charge.refunds !== undefined) charge.refunds.data.unshift(refund);
  });
  return refund;
}

function createRefund(engine: Engine, params: Params): Stripe.Refund {
  const chargeId = params.string("charge");
  const paymentIntentId = params.string("payment_intent");
  let charge: Stripe.Charge;
  if (chargeId !== undefined) charge = engine.store.require("charge", chargeId, "charge");
  else if (paymentIntentId !== undefined) {
    const paymentIntent = engine.store.require("payment_intent", paymentIntentId, "payment_intent");
    const latest = idOf(paymentIntent.latest_charge);
    if (latest === null || paymentIntent.status !== "succeeded") throw invalidRequest("This PaymentIntent has no successful charge to refund.", "payment_intent");
    charge = engine.store.require("charge", latest, "payment_intent");
  } else throw invalidRequest("One of charge or payment_intent is required.", "charge", "parameter_missing");
  const reason = params.oneOf("reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null;
  return refundCharge(engine, charge, params.integer("amount", { min: 1 }), reason, params.applyMetadata({}));
}

/**
 * A PaymentIntent made through the API (not by an invoice): Stripe's way of charging a customer
 * outside an invoice (a manual charge, or by mistake a second time). `confirm=true` charges at
 * once with the given or the customer's default payment method.
 */
function createPaymentIntent(engine: Engine, params: Params): Stripe.PaymentIntent {
  const amount = params.requiredInteger("amount", { min: 1, max: 99_999_999 });
  const currency = params.requiredString("currency", { maxLength: 3 }).toLowerCase();
  const customerId = params.string("customer");
  if (customerId !== undefined) engine.store.require("customer", customerId, "customer");
  const paymentMethodId = params.string("payment_method");
  if (paymentMethodId !== undefined) {
    const paymentMethod = engine.store.require("payment_method", paymentMethodId, "payment_method");
    const owner = idOf(paymentMethod.customer);
    if (owner !== null && customerId !== undefined && owner !== customerId)
      throw invalidRequest(`The provided PaymentMethod ${paymentMethodId} belongs to another customer.`, "payment_method");
  }
  params.boolean("off_session");
  const paymentIntent = buildPaymentIntent({
    id: engine.id("pi"),
    created: engine.nowForCustomer(customerId),
    amount,
    currency,
    customer: customerId ?? "",
    paymentMethod: paymentMethodId ?? null,
    description: params.nullableString("description") ?? null,
    metadata: params.applyMetadata({}),
  });
  if (customerId === undefined) paymentIntent.customer = null;
  if (paymentMethodId !== undefined) paymentIntent.status = "requires_confirmation";
  engine.store.insert("payment_intent", paymentIntent);
  engine.emit("payment_intent.created", paymentIntent);
  if (params.boolean("confirm") === true) confirmPaymentIntent(engine, paymentIntent, paymentMethodId);
  return paymentIntent;
}

/** Charges a PaymentIntent once: a Charge per attempt and the events Stripe sends for the outcome. */
function confirmPaymentIntent(engine: Engine, paymentIntent: Stripe.PaymentIntent, paymentMethodId: string | undefined): Stripe.PaymentIntent {
  if (paymentIntent.status !== "requires_payment_method" && paymentIntent.status !== "requires_confirmation")
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${paymentIntent.status}.`,
      undefined,
      "payment_intent_unexpected_state",
    );
  const customerId = idOf(paymentIntent.customer);
  const customer = customerId === null ? undefined : engine.store.get("customer", customerId);
  const methodId = paymentMethodId ?? idOf(paymentIntent.payment_method) ?? idOf(customer?.invoice_settings.default_payment_method ?? null);
  if (methodId === null)
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
      undefined,
      "payment_intent_unexpected_state",
    );
  const paymentMethod = engine.store.require("payment_method", methodId, "payment_method");
  const behavior = engine.cardBehavior.get(paymentMethod.id) ?? { outcome: "succeed" as const };
  const declineCode = behavior.outcome === "decline" ? behavior.declineCode : null;
  const charge = buildCharge({
    id: engine.id("ch"),
    created: engine.nowForCustomer(customerId),
    amount: paymentIntent.amount,
    currency: paymentIntent.currency,
    customer: customerId ?? "",
    paymentIntent: paymentIntent.id,
    paymentMethod,
    description: paymentIntent.description,
    declineCode,
  });
  if (customerId === null) charge.customer = null;
  charge.metadata = { ...paymentIntent.metadata };
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
    throw cardDeclined(declineCode, { charge: charge.id, payment_intent: structuredClone(paymentIntent) });
  }
  paymentIntent.status = "succeeded";
  paymentIntent.amount_received = charge.amount;
  paymentIntent.last_payment_error = null;
  recordChargeBalance(engine, charge);
  engine.emit("charge.succeeded", charge);
  engine.emit("payment_intent.succeeded", paymentIntent);
  return paymentIntent;
}

function cancelPaymentIntent(engine: Engine, paymentIntent: Stripe.PaymentIntent, params: Params): Stripe.PaymentIntent {
  const cancellable = ["requires_payment_method", "requires_confirmation", "requires_action", "requires_capture", "processing"];
  if (!cancellable.includes(paymentIntent.status))
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${paymentIntent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${cancellable.join(", ")}.`,
      undefined,
      "payment_intent_unexpected_state",
    );
  paymentIntent.status = "canceled";
  paymentIntent.canceled_at = engine.nowForCustomer(idOf(paymentIntent.customer));
  paymentIntent.cancellation_reason = params.oneOf("cancellation_reason", ["abandoned", "duplicate", "fraudulent", "requested_by_customer"] as const) ?? null;
  engine.emit("payment_intent.canceled", paymentIntent);
  return paymentIntent;
}

function listOf<T extends { id: string; customer?: unknown; created: number }>(items: T[], params: Params, url: string) {
  const customer = params.string("customer");
  const created = createdFilter(params);
  return paginate(
    items.filter((item) => (customer === undefined || idOf(item.customer as string | null) === customer) && created(item.created)),
    params,
    url,
  );
}

export const paymentRoutes: Route[] = [
  route("POST", "/v1/payment_intents", ({ engine, params }) => createPaymentIntent(engine, params)),
  route("GET", "/v1/payment_intents/:id", (request) => request.engine.store.require("payment_intent", pathParam(request, "id"))),
  route("POST", "/v1/payment_intents/:id/confirm", (request) =>
    confirmPaymentIntent(request.engine, request.engine.store.require("payment_intent", pathParam(request, "id")), request.params.string("payment_method")),
  ),
  route("POST", "/v1/payment_intents/:id/cancel", (request) =>
    cancelPaymentIntent(request.engine, request.engine.store.require("payment_intent", pathParam(request, "id")), request.params),
  ),
  route("GET", "/v1/payment_intents", ({ engine, params }) => listOf(engine.store.all("payment_intent"), params, "/v1/payment_intents")),
  route("GET", "/v1/charges/:id", (request) => request.engine.store.require("charge", pathParam(request, "id"))),
  route("GET", "/v1/charges", ({ engine, params }) => {
    const paymentIntent = params.string("payment_intent");
    const charges = engine.store.all("charge").filter((charge) => paymentIntent === undefined || charge.payment_intent === paymentIntent);
    return listOf(charges, params, "/v1/charges");
  }),
  route("POST", "/v1/refunds", ({ engine, params }) => createRefund(engine, params)),
  route("GET", "/v1/refunds/:id", (request) => request.engine.store.require("refund", pathParam(request, "id"))),
  route("GET", "/v1/refunds", ({ engine, params }) => {
    const charge = params.string("charge");
    const paymentIntent = params.string("payment_intent");
    const refunds = engine.store.all("refund").filter((refund) => (charge === undefined || refund.charge === charge) && (paymentIntent === undefined || refund.payment_intent === paymentIntent));
    return listOf(refunds, params, "/v1/refunds");
  }),
  route("GET", "/v1/invoice_payments/:id", (request) => request.engine.store.require("invoice_payment", pathParam(request, "id"))),
  route("GET", "/v1/invoice_payments", ({ engine, params }) => {
    const invoice = params.string("invoice");
    const payment = params.object("payment");
    const paymentType = payment?.oneOf("type", ["payment_intent", "payment_record"] as const);
    if (payment !== undefined && paymentType === undefined) throw invalidRequest("Missing required param: payment[type].", "payment[type]", "parameter_missing");
    const paymentIntent = payment?.string("payment_intent");
    const status = params.oneOf("status", ["canceled", "open", "paid"] as const);
    const payments = engine.store
      .all("invoice_payment")
      .filter(
        (each) =>
          (invoice === undefined || each.invoice === invoice) &&
          (paymentType === undefined || each.payment.type === paymentType) &&
          (paymentIntent === undefined || each.payment.payment_intent === paymentIntent) &&
          (status === undefined || each.status === status),
      );
    return paginate(payments, params, "/v1/invoice_payments");
  }),
];
