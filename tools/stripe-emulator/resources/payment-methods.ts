import type Stripe from "stripe";
import type { Engine } from "../engine";
import { cardDeclined, invalidRequest } from "../errors";
import { paginate } from "../list";
import { buildCardPaymentMethod, testCards, testTokens } from "../objects/payment-methods";
import { idOf } from "../objects/invoices";
import { route, pathParam, type Route } from "../router";

/** A stored payment method, or a new one made from a Stripe test token (`pm_card_visa`, `tok_visa`, ...). */
export function resolvePaymentMethod(engine: Engine, idOrToken: string, param: string): Stripe.PaymentMethod {
  const tokenName = testTokens[idOrToken] ?? idOrToken;
  const card = testCards[tokenName];
  if (card === undefined) return engine.store.require("payment_method", idOrToken, param);
  const paymentMethod = buildCardPaymentMethod({
    id: engine.id("pm"),
    created: engine.globalNow(),
    card,
    fingerprint: `fp${tokenName.replace(/[^A-Za-z]/g, "").slice(0, 14)}`,
    metadata: {},
  });
  engine.store.insert("payment_method", paymentMethod);
  engine.cardBehavior.set(paymentMethod.id, card.behavior);
  (paymentMethod as { [attachDecline]?: string | null })[attachDecline] = card.attachDeclineCode;
  return paymentMethod;
}

const attachDecline = Symbol("attachDecline");

export function attachPaymentMethod(engine: Engine, paymentMethod: Stripe.PaymentMethod, customerId: string): void {
  const current = idOf(paymentMethod.customer);
  if (current === customerId) return;
  if (current !== null)
    throw invalidRequest("The payment method you provided has already been attached to a customer.", "payment_method", "payment_method_already_attached");
  const declineCode = (paymentMethod as { [attachDecline]?: string | null })[attachDecline];
  if (declineCode) throw cardDeclined(declineCode, { param: "" });
  paymentMethod.customer = customerId;
  engine.emit("payment_method.attached", paymentMethod);
}

export const paymentMethodRoutes: Route[] = [
  route("POST", "/v1/payment_methods", ({ engine, params }) => {
    const type = params.requiredString("type");
    if (type !== "card") throw invalidRequest(`The emulator only supports type=card payment methods.`, "type");
    const token = params.object("card")?.string("token");
    if (token === undefined) throw invalidRequest("Use card[token]=tok_visa (or another test token): raw card numbers are not accepted.", "card");
    const paymentMethod = resolvePaymentMethod(engine, token, "card[token]");
    paymentMethod.metadata = params.applyMetadata({});
    return paymentMethod;
  }),
  route("GET", "/v1/payment_methods/:id", (request) => request.engine.store.require("payment_method", pathParam(request, "id"))),
  route("POST", "/v1/payment_methods/:id", (request) => {
    const paymentMethod = request.engine.store.require("payment_method", pathParam(request, "id"));
    request.engine.track(paymentMethod, "payment_method.updated", () => {
      paymentMethod.metadata = request.params.applyMetadata(paymentMethod.metadata ?? {});
    });
    return paymentMethod;
  }),
  route("POST", "/v1/payment_methods/:id/attach", (request) => {
    const { engine, params } = request;
    const customer = engine.store.require("customer", params.requiredString("customer"), "customer");
    const paymentMethod = resolvePaymentMethod(engine, pathParam(request, "id"), "payment_method");
    attachPaymentMethod(engine, paymentMethod, customer.id);
    return paymentMethod;
  }),
  route("POST", "/v1/payment_methods/:id/detach", (request) => {
    const { engine } = request;
    const paymentMethod = engine.store.require("payment_method", pathParam(request, "id"));
    const customerId = idOf(paymentMethod.customer);
    if (customerId === null) throw invalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.", "payment_method");
    const customer = engine.store.get("customer", customerId);
    if (customer !== undefined && idOf(customer.invoice_settings.default_payment_method) === paymentMethod.id) {
      engine.track(customer, "customer.updated", () => {
        customer.invoice_settings.default_payment_method = null;
      });
    }
    const previous = { customer: customerId };
    paymentMethod.customer = null;
    engine.emit("payment_method.detached", paymentMethod, previous);
    return paymentMethod;
  }),
  route("GET", "/v1/payment_methods", ({ engine, params }) => {
    const customer = params.string("customer");
    const type = params.string("type");
    const items = engine.store
      .all("payment_method")
      .filter((paymentMethod) => (customer === undefined || idOf(paymentMethod.customer) === customer) && (type === undefined || paymentMethod.type === type))
      .filter((paymentMethod) => idOf(paymentMethod.customer) !== null);
    return paginate(items, params, "/v1/payment_methods");
  }),
  route("GET", "/v1/customers/:id/payment_methods", (request) => {
    const customer = request.engine.store.require("customer", pathParam(request, "id"));
    const type = request.params.string("type");
    const items = request.engine.store
      .all("payment_method")
      .filter((paymentMethod) => idOf(paymentMethod.customer) === customer.id && (type === undefined || paymentMethod.type === type));
    return paginate(items, request.params, `/v1/customers/${customer.id}/payment_methods`);
  }),
];
