import type Stripe from "stripe";
import type { Engine } from "../engine";
import { createdFilter, paginate } from "../list";
import { idOf } from "../objects/invoices";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { creditNoteFromPlan, issueCreditNote, planCreditNote, voidCreditNote, type CreditNoteRequest } from "../billing/credit-notes";

const reasons = ["duplicate", "fraudulent", "order_change", "product_unsatisfactory"] as const;

function readRequest(engine: Engine, params: Params): CreditNoteRequest {
  const invoice = engine.store.require("invoice", params.requiredString("invoice"), "invoice");
  return {
    invoice,
    amount: params.integer("amount", { min: 0 }) ?? null,
    lines: params.objectArray("lines", 250).map((line) => ({
      type: line.oneOf("type", ["invoice_line_item", "custom_line_item"] as const) ?? "invoice_line_item",
      invoiceLineItem: line.string("invoice_line_item") ?? null,
      amount: line.integer("amount", { min: 0 }) ?? null,
      quantity: line.integer("quantity", { min: 1 }) ?? null,
      unitAmount: line.integer("unit_amount", { min: 0 }) ?? null,
      description: line.string("description") ?? null,
      metadata: line.has("metadata") ? line.applyMetadata({}) : null,
    })),
    refundAmount: params.integer("refund_amount", { min: 0 }) ?? null,
    creditAmount: params.integer("credit_amount", { min: 0 }) ?? null,
    outOfBandAmount: params.integer("out_of_band_amount", { min: 0 }) ?? null,
    reason: params.oneOf("reason", reasons) ?? null,
    memo: params.string("memo") ?? null,
    metadata: params.applyMetadata({}),
  };
}

/** The credit note `create` would issue, with nothing stored and no event. */
function preview(engine: Engine, params: Params): Stripe.CreditNote {
  const request = readRequest(engine, params);
  const plan = planCreditNote(engine, request);
  const note = creditNoteFromPlan(engine, request, plan, engine.id("cn_preview"));
  if (plan.refund > 0) note.refunds.push({ amount_refunded: plan.refund, payment_record_refund: null, refund: "re_preview", type: "refund" });
  return note;
}

function requireNote(request: Parameters<Route["handle"]>[0]): Stripe.CreditNote {
  return request.engine.store.require("credit_note", pathParam(request, "id"));
}

export const creditNoteRoutes: Route[] = [
  route("GET", "/v1/credit_notes/preview", ({ engine, params }) => preview(engine, params)),
  route("GET", "/v1/credit_notes/preview/lines", ({ engine, params }) => paginate([...preview(engine, params).lines.data].reverse(), params, "/v1/credit_notes/preview/lines")),
  route("POST", "/v1/credit_notes", ({ engine, params }) => issueCreditNote(engine, readRequest(engine, params))),
  route("GET", "/v1/credit_notes/:id", (request) => requireNote(request)),
  route("POST", "/v1/credit_notes/:id", (request) => {
    const note = requireNote(request);
    request.engine.track(note, "credit_note.updated", () => {
      const memo = request.params.string("memo");
      if (memo !== undefined) note.memo = memo;
      note.metadata = request.params.applyMetadata(note.metadata ?? {});
    });
    return note;
  }),
  route("POST", "/v1/credit_notes/:id/void", (request) => voidCreditNote(request.engine, requireNote(request))),
  route("GET", "/v1/credit_notes/:id/lines", (request) => {
    const note = requireNote(request);
    return paginate([...note.lines.data].reverse(), request.params, `/v1/credit_notes/${note.id}/lines`);
  }),
  route("GET", "/v1/credit_notes", ({ engine, params }) => {
    const invoice = params.string("invoice");
    const customer = params.string("customer");
    const created = createdFilter(params);
    const notes = engine.store
      .all("credit_note")
      .filter(
        (note) =>
          (invoice === undefined || idOf(note.invoice) === invoice) &&
          (customer === undefined || idOf(note.customer) === customer) &&
          created(note.created),
      );
    return paginate(notes, params, "/v1/credit_notes");
  }),
];
