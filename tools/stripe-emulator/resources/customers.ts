import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { buildBalanceTransaction, buildCustomer } from "../objects/customers";
import { idOf } from "../objects/invoices";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { cancelSubscriptionNow } from "../billing/subscription-status";
import { attachPaymentMethod, resolvePaymentMethod } from "./payment-methods";

function createCustomer(engine: Engine, params: Params): Stripe.Customer {
  const testClock = params.string("test_clock") ?? null;
  if (testClock !== null) engine.store.require("test_helpers.test_clock", testClock, "test_clock");
  const customer = buildCustomer({
    id: engine.id("cus", 14),
    created: engine.clockNow(testClock),
    email: params.string("email", { maxLength: 512 }) ?? null,
    name: params.string("name", { maxLength: 256 }) ?? null,
    description: params.string("description") ?? null,
    phone: params.string("phone", { maxLength: 20 }) ?? null,
    metadata: params.applyMetadata({}),
    testClock,
    invoicePrefix: engine.random.string(8, "ABCDEF0123456789"),
  });
  customer.balance = params.integer("balance") ?? 0;
  engine.store.insert("customer", customer);
  // Stripe resolves `payment_method` first, so `invoice_settings[default_payment_method]` may name the same test token.
  const tokenOrId = params.string("payment_method");
  let attached: Stripe.PaymentMethod | null = null;
  if (tokenOrId !== undefined) {
    attached = resolvePaymentMethod(engine, tokenOrId, "payment_method");
    attachPaymentMethod(engine, attached, customer.id);
  }
  engine.emit("customer.created", customer);
  const invoiceSettings = params.object("invoice_settings");
  const requested = invoiceSettings?.nullableString("default_payment_method");
  if (requested !== undefined && requested !== null) {
    customer.invoice_settings.default_payment_method = requested === tokenOrId && attached !== null ? attached.id : requested;
    checkDefaultPaymentMethod(engine, customer);
  }
  return customer;
}

function checkDefaultPaymentMethod(engine: Engine, customer: Stripe.Customer): void {
  const id = idOf(customer.invoice_settings.default_payment_method);
  if (id === null) return;
  const paymentMethod = engine.store.get("payment_method", id);
  if (paymentMethod === undefined || idOf(paymentMethod.customer) !== customer.id)
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      "invoice_settings[default_payment_method]",
      "resource_missing",
    );
}

function updateCustomer(engine: Engine, customer: Stripe.Customer, params: Params): Stripe.Customer {
  const requested = params.object("invoice_settings")?.nullableString("default_payment_method");
  if (requested !== undefined && requested !== null) {
    const paymentMethod = engine.store.get("payment_method", requested);
    if (paymentMethod === undefined || idOf(paymentMethod.customer) !== customer.id)
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${requested}. The payment method must be attached to the customer.`,
        "invoice_settings[default_payment_method]",
        "resource_missing",
      );
  }
  engine.track(customer, "customer.updated", () => {
    const email = params.nullableString("email");
    if (email !== undefined) customer.email = email;
    const name = params.nullableString("name");
    if (name !== undefined) customer.name = name;
    const description = params.nullableString("description");
    if (description !== undefined) customer.description = description;
    const phone = params.nullableString("phone");
    if (phone !== undefined) customer.phone = phone;
    const balance = params.integer("balance");
    if (balance !== undefined) customer.balance = balance;
    customer.metadata = params.applyMetadata(customer.metadata);
    if (requested !== undefined) customer.invoice_settings.default_payment_method = requested;
  });
  return customer;
}

function deleteCustomer(engine: Engine, customer: Stripe.Customer): Stripe.DeletedCustomer {
  for (const subscription of engine.store.all("subscription")) {
    if (idOf(subscription.customer) === customer.id && !["canceled", "incomplete_expired"].includes(subscription.status))
      cancelSubscriptionNow(engine, subscription, { reason: "cancellation_requested", prorate: false, invoiceNow: false });
  }
  engine.store.remove("customer", customer.id);
  deletedCustomers.add(customer.id);
  engine.emit("customer.deleted", customer);
  return { id: customer.id, object: "customer", deleted: true };
}

/** Deleted customers still answer retrieve with `{ deleted: true }`, as Stripe's do. */
const deletedCustomers = new Set<string>();

function createBalanceTransaction(engine: Engine, customer: Stripe.Customer, params: Params): Stripe.CustomerBalanceTransaction {
  const amount = params.requiredInteger("amount");
  const currency = params.requiredString("currency").toLowerCase();
  const transaction = buildBalanceTransaction({
    id: engine.id("cbtxn"),
    created: engine.nowForCustomer(customer.id),
    customer: customer.id,
    amount,
    currency,
    endingBalance: customer.balance + amount,
    type: "adjustment",
    description: params.string("description") ?? null,
    invoice: null,
    creditNote: null,
    metadata: params.applyMetadata({}),
  });
  engine.store.insert("customer_balance_transaction", transaction);
  engine.track(customer, "customer.updated", () => {
    customer.balance += amount;
    if (customer.currency === null || customer.currency === undefined) customer.currency = currency;
  });
  return transaction;
}

export const customerRoutes: Route[] = [
  route("POST", "/v1/customers", ({ engine, params }) => createCustomer(engine, params)),
  route("GET", "/v1/customers/:id", (request) => {
    const id = pathParam(request, "id");
    if (deletedCustomers.has(id) && request.engine.store.get("customer", id) === undefined) return { id, object: "customer", deleted: true };
    return request.engine.store.require("customer", id);
  }),
  route("POST", "/v1/customers/:id", (request) =>
    updateCustomer(request.engine, request.engine.store.require("customer", pathParam(request, "id")), request.params),
  ),
  route("DELETE", "/v1/customers/:id", (request) =>
    deleteCustomer(request.engine, request.engine.store.require("customer", pathParam(request, "id"))),
  ),
  route("GET", "/v1/customers", ({ engine, params }) => {
    const email = params.string("email");
    const testClock = params.string("test_clock");
    const created = createdFilter(params);
    const items = engine.store
      .all("customer")
      .filter((customer) => (email === undefined || customer.email === email) && (testClock === undefined || customer.test_clock === testClock) && created(customer.created));
    return paginate(items, params, "/v1/customers");
  }),
  route("POST", "/v1/customers/:id/balance_transactions", (request) =>
    createBalanceTransaction(request.engine, request.engine.store.require("customer", pathParam(request, "id")), request.params),
  ),
  route("GET", "/v1/customers/:id/balance_transactions", (request) => {
    const customer = request.engine.store.require("customer", pathParam(request, "id"));
    const items = request.engine.store.all("customer_balance_transaction").filter((transaction) => transaction.customer === customer.id);
    return paginate(items, request.params, `/v1/customers/${customer.id}/balance_transactions`);
  }),
  route("GET", "/v1/customers/:customer/balance_transactions/:id", (request) => {
    const transaction = request.engine.store.require("customer_balance_transaction", pathParam(request, "id"));
    if (transaction.customer !== pathParam(request, "customer")) throw invalidRequest(`No such customer balance transaction: '${transaction.id}'`, "id");
    return transaction;
  }),
];
