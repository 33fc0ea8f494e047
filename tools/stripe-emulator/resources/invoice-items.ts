import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest, missingParam } from "../errors";
import { createdFilter, paginate } from "../list";
import { extendedAmount, isDecimalString } from "../money";
import { unitAmountOf } from "../objects/catalog";
import { idOf } from "../objects/invoices";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { createInvoiceItem, refreshTotals } from "../billing/invoicing";
import type { LineDraft } from "../billing/lines";

function create(engine: Engine, params: Params): Stripe.InvoiceItem {
  const customer = engine.store.require("customer", params.requiredString("customer"), "customer");
  const invoiceId = params.string("invoice") ?? null;
  if (invoiceId !== null) {
    const invoice = engine.store.require("invoice", invoiceId, "invoice");
    if (invoice.status !== "draft") throw invalidRequest("You can only add invoice items to draft invoices.", "invoice", "invoice_not_editable");
    if (idOf(invoice.customer) !== customer.id) throw invalidRequest("The invoice belongs to another customer.", "invoice");
  }
  const subscriptionId = params.string("subscription") ?? null;
  if (subscriptionId !== null) engine.store.require("subscription", subscriptionId, "subscription");
  const quantity = params.integer("quantity", { min: 0 }) ?? 1;
  const priceId = params.string("price") ?? params.object("pricing")?.string("price");
  const price = priceId === undefined ? null : engine.store.require("price", priceId, "pricing[price]");
  const unitAmountDecimal = params.string("unit_amount_decimal");
  if (unitAmountDecimal !== undefined && !isDecimalString(unitAmountDecimal)) throw invalidRequest(`Invalid decimal: ${unitAmountDecimal}`, "unit_amount_decimal");
  const amount = params.integer("amount");
  const unit = price !== null ? unitAmountOf(price) : (unitAmountDecimal ?? null);
  if (amount === undefined && unit === null) throw missingParam("amount");
  const now = engine.nowForCustomer(customer.id);
  const period = params.object("period");
  const draft: LineDraft = {
    amount: amount ?? extendedAmount(unit ?? "0", String(quantity)),
    description: params.string("description") ?? "",
    periodStart: period?.integer("start") ?? now,
    periodEnd: period?.integer("end") ?? now,
    quantity,
    price,
    unitAmountDecimal: unit ?? (amount === undefined ? null : String(amount)),
    subscription: subscriptionId,
    subscriptionItem: null,
    proration: false,
    metadata: params.applyMetadata({}),
  };
  if (price === null && params.string("currency") === undefined) throw missingParam("currency");
  return createInvoiceItem(engine, customer.id, draft, invoiceId);
}

function update(engine: Engine, item: Stripe.InvoiceItem, params: Params): Stripe.InvoiceItem {
  const invoice = item.invoice === null ? null : engine.store.get("invoice", idOf(item.invoice) ?? "");
  if (invoice !== null && invoice !== undefined && invoice.status !== "draft")
    throw invalidRequest("You can only update invoice items on draft invoices.", undefined, "invoice_not_editable");
  engine.track(item, "invoiceitem.updated", () => {
    const amount = params.integer("amount");
    if (amount !== undefined) item.amount = amount;
    const description = params.nullableString("description");
    if (description !== undefined) item.description = description;
    item.metadata = params.applyMetadata(item.metadata ?? {});
  });
  if (invoice) {
    const line = invoice.lines.data.find((candidate) => candidate.parent?.invoice_item_details?.invoice_item === item.id);
    if (line !== undefined) {
      line.amount = item.amount;
      line.subtotal = item.amount;
      line.description = item.description;
      refreshTotals(invoice);
    }
  }
  return item;
}

function remove(engine: Engine, item: Stripe.InvoiceItem): Stripe.DeletedInvoiceItem {
  const invoice = item.invoice === null ? undefined : engine.store.get("invoice", idOf(item.invoice) ?? "");
  if (invoice !== undefined && invoice.status !== "draft") throw invalidRequest("You can only delete invoice items on draft invoices.", undefined, "invoice_not_editable");
  if (invoice !== undefined) {
    invoice.lines.data = invoice.lines.data.filter((line) => line.parent?.invoice_item_details?.invoice_item !== item.id);
    refreshTotals(invoice);
  }
  engine.store.remove("invoiceitem", item.id);
  engine.emit("invoiceitem.deleted", item);
  return { id: item.id, object: "invoiceitem", deleted: true };
}

export const invoiceItemRoutes: Route[] = [
  route("POST", "/v1/invoiceitems", ({ engine, params }) => create(engine, params)),
  route("GET", "/v1/invoiceitems/:id", (request) => request.engine.store.require("invoiceitem", pathParam(request, "id"))),
  route("POST", "/v1/invoiceitems/:id", (request) =>
    update(request.engine, request.engine.store.require("invoiceitem", pathParam(request, "id")), request.params),
  ),
  route("DELETE", "/v1/invoiceitems/:id", (request) => remove(request.engine, request.engine.store.require("invoiceitem", pathParam(request, "id")))),
  route("GET", "/v1/invoiceitems", ({ engine, params }) => {
    const customer = params.string("customer");
    const invoice = params.string("invoice");
    const pending = params.boolean("pending");
    const created = createdFilter(params);
    const items = engine.store
      .all("invoiceitem")
      .filter(
        (item) =>
          (customer === undefined || item.customer === customer) &&
          (invoice === undefined || item.invoice === invoice) &&
          (pending === undefined || (item.invoice === null) === pending) &&
          created(item.date),
      );
    return paginate(items, params, "/v1/invoiceitems");
  }),
];
