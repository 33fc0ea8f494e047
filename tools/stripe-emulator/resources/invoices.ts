import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import {
  attachPendingItems,
  createDraftInvoice,
  finalizeInvoice,
  markInvoicePaid,
  markInvoiceUncollectible,
  voidInvoice,
} from "../billing/invoicing";
import { collectInvoice } from "../billing/payments";
import { onInvoicePaid } from "../billing/subscription-status";
import { previewInvoice } from "./invoice-preview";

function create(engine: Engine, params: Params): Stripe.Invoice {
  const subscriptionId = params.string("subscription");
  const subscription = subscriptionId === undefined ? null : engine.store.require("subscription", subscriptionId, "subscription");
  const customerId = params.string("customer") ?? (subscription === null ? undefined : idOf(subscription.customer));
  if (customerId === undefined || customerId === null) throw invalidRequest("Missing required param: customer.", "customer", "parameter_missing");
  const customer = engine.store.require("customer", customerId, "customer");
  const now = engine.nowForCustomer(customer.id);
  const collectionMethod = params.oneOf("collection_method", ["charge_automatically", "send_invoice"] as const) ?? "charge_automatically";
  const daysUntilDue = params.integer("days_until_due", { min: 0, max: 3650 }) ?? null;
  if (collectionMethod === "send_invoice" && daysUntilDue === null && !params.has("due_date"))
    throw invalidRequest("Invoices with `collection_method=send_invoice` must have a `days_until_due` or `due_date`.", "days_until_due");
  const invoice = createDraftInvoice(engine, {
    customer,
    subscription,
    billingReason: "manual",
    periodStart: now,
    periodEnd: now,
    // The emulator defaults auto_advance to false for API-created invoices: they move only when asked to.
    autoAdvance: params.boolean("auto_advance") ?? false,
    collectionMethod,
    daysUntilDue,
    description: params.string("description") ?? null,
    metadata: params.applyMetadata({}),
    defaultPaymentMethod: params.string("default_payment_method") ?? null,
    currency: params.string("currency")?.toLowerCase() ?? customer.currency ?? "usd",
  });
  const dueDate = params.integer("due_date", { min: 0 });
  if (dueDate !== undefined) invoice.due_date = dueDate;
  const pendingBehavior = params.oneOf("pending_invoice_items_behavior", ["include", "exclude"] as const) ?? "exclude";
  if (pendingBehavior === "include") attachPendingItems(engine, invoice, subscription?.id ?? null);
  engine.emit("invoice.created", invoice);
  return invoice;
}

function requireStatus(invoice: Stripe.Invoice, allowed: Stripe.Invoice.Status[], message: string): void {
  if (invoice.status === null || !allowed.includes(invoice.status)) throw invalidRequest(message, undefined, "invoice_not_editable");
}

function update(engine: Engine, invoice: Stripe.Invoice, params: Params): Stripe.Invoice {
  const editable = invoice.status === "draft";
  engine.track(invoice, "invoice.updated", () => {
    invoice.metadata = params.applyMetadata(invoice.metadata ?? {});
    const autoAdvance = params.boolean("auto_advance");
    if (autoAdvance !== undefined) {
      invoice.auto_advance = autoAdvance;
      if (editable) invoice.automatically_finalizes_at = autoAdvance ? engine.nowForCustomer(idOf(invoice.customer)) + engine.config.draftWindowSeconds : null;
    }
    const description = params.nullableString("description");
    if (description !== undefined) {
      if (!editable) throw invalidRequest("You can only update the description of a draft invoice.", "description");
      invoice.description = description;
    }
    const defaultPaymentMethod = params.nullableString("default_payment_method");
    if (defaultPaymentMethod !== undefined) invoice.default_payment_method = defaultPaymentMethod;
  });
  return invoice;
}

function finalize(engine: Engine, invoice: Stripe.Invoice, params: Params): Stripe.Invoice {
  requireStatus(invoice, ["draft"], "This invoice is already finalized, you can't re-finalize a non-draft invoice.");
  const autoAdvance = params.boolean("auto_advance");
  if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance;
  finalizeInvoice(engine, invoice);
  // Stripe charges an auto-advancing invoice about an hour after it is finalized through the API.
  if (invoice.status === "open" && invoice.auto_advance === true && invoice.collection_method === "charge_automatically")
    invoice.next_payment_attempt = engine.nowForCustomer(idOf(invoice.customer)) + engine.config.draftWindowSeconds;
  return invoice;
}

function pay(engine: Engine, invoice: Stripe.Invoice, params: Params): Stripe.Invoice {
  if (invoice.status === "draft") finalizeInvoice(engine, invoice);
  if (invoice.status === "paid") throw invalidRequest("Invoice is already paid", undefined, "invoice_already_paid");
  requireStatus(invoice, ["open", "uncollectible"], `You cannot pay an invoice with status ${invoice.status}.`);
  if (params.boolean("paid_out_of_band") === true) {
    markInvoicePaid(engine, invoice, engine.nowForCustomer(idOf(invoice.customer)));
    onInvoicePaid(engine, invoice);
    return invoice;
  }
  const paymentMethod = params.string("payment_method");
  if (paymentMethod !== undefined) engine.store.require("payment_method", paymentMethod, "payment_method");
  const outcome = collectInvoice(engine, invoice, { automatic: false, ...(paymentMethod === undefined ? {} : { paymentMethodId: paymentMethod }) });
  if (!outcome.paid) throw outcome.error;
  return invoice;
}

function remove(engine: Engine, invoice: Stripe.Invoice): Stripe.DeletedInvoice {
  requireStatus(invoice, ["draft"], "You can only delete draft invoices.");
  for (const item of engine.store.all("invoiceitem")) if (item.invoice === invoice.id) item.invoice = null;
  engine.store.remove("invoice", invoice.id);
  engine.emit("invoice.deleted", invoice);
  return { id: invoice.id, object: "invoice", deleted: true };
}

function requireInvoice(engine: Engine, id: string): Stripe.Invoice {
  return engine.store.require("invoice", id);
}

export const invoiceRoutes: Route[] = [
  route("POST", "/v1/invoices/create_preview", ({ engine, params }) => previewInvoice(engine, params)),
  route("POST", "/v1/invoices", ({ engine, params }) => create(engine, params)),
  route("GET", "/v1/invoices/:id", (request) => requireInvoice(request.engine, pathParam(request, "id"))),
  route("POST", "/v1/invoices/:id", (request) => update(request.engine, requireInvoice(request.engine, pathParam(request, "id")), request.params)),
  route("DELETE", "/v1/invoices/:id", (request) => remove(request.engine, requireInvoice(request.engine, pathParam(request, "id")))),
  route("POST", "/v1/invoices/:id/finalize", (request) => finalize(request.engine, requireInvoice(request.engine, pathParam(request, "id")), request.params)),
  route("POST", "/v1/invoices/:id/pay", (request) => pay(request.engine, requireInvoice(request.engine, pathParam(request, "id")), request.params)),
  route("POST", "/v1/invoices/:id/void", (request) => {
    const invoice = requireInvoice(request.engine, pathParam(request, "id"));
    requireStatus(invoice, ["open", "uncollectible"], `You can only void an open or uncollectible invoice; this one is ${invoice.status}.`);
    voidInvoice(request.engine, invoice);
    return invoice;
  }),
  route("POST", "/v1/invoices/:id/mark_uncollectible", (request) => {
    const invoice = requireInvoice(request.engine, pathParam(request, "id"));
    requireStatus(invoice, ["open"], `You can only mark an open invoice uncollectible; this one is ${invoice.status}.`);
    markInvoiceUncollectible(request.engine, invoice);
    return invoice;
  }),
  route("GET", "/v1/invoices/:id/lines", (request) => {
    const invoice = requireInvoice(request.engine, pathParam(request, "id"));
    return paginate([...invoice.lines.data].reverse(), request.params, `/v1/invoices/${invoice.id}/lines`);
  }),
  route("GET", "/v1/invoices", ({ engine, params }) => {
    const customer = params.string("customer");
    const subscription = params.string("subscription");
    const status = params.oneOf("status", ["draft", "open", "paid", "uncollectible", "void"] as const);
    const created = createdFilter(params);
    const items = engine.store
      .all("invoice")
      .filter(
        (invoice) =>
          (customer === undefined || invoice.customer === customer) &&
          (subscription === undefined || invoice.parent?.subscription_details?.subscription === subscription) &&
          (status === undefined || invoice.status === status) &&
          created(invoice.created),
      );
    return paginate(items, params, "/v1/invoices");
  }),
];
