import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import { buildRefund } from "../objects/payments";
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
  route("GET", "/v1/payment_intents/:id", (request) => request.engine.store.require("payment_intent", pathParam(request, "id"))),
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
    return listOf(engine.store.all("refund").filter((refund) => charge === undefined || refund.charge === charge), params, "/v1/refunds");
  }),
  route("GET", "/v1/invoice_payments/:id", (request) => request.engine.store.require("invoice_payment", pathParam(request, "id"))),
  route("GET", "/v1/invoice_payments", ({ engine, params }) => {
    const invoice = params.string("invoice");
    const payments = engine.store.all("invoice_payment").filter((payment) => invoice === undefined || payment.invoice === invoice);
    return paginate(payments, params, "/v1/invoice_payments");
  }),
];
