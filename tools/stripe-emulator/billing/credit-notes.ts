import type Stripe from "stripe";
import { snapshot, type Engine } from "../engine";
import { invalidRequest } from "../errors";
import { buildBalanceTransaction } from "../objects/customers";
import { buildCreditNote, buildCreditNoteLine } from "../objects/credit-notes";
import { idOf } from "../objects/invoices";
import { refundCharge } from "../resources/payments";
import { emitInvoiceUpdated, markInvoicePaid, refreshTotals } from "./invoicing";
import { onInvoicePaid } from "./subscription-status";

export interface CreditNoteLineRequest {
  type: "invoice_line_item" | "custom_line_item";
  invoiceLineItem: string | null;
  amount: number | null;
  quantity: number | null;
  unitAmount: number | null;
  description: string | null;
  metadata: Record<string, string> | null;
}

export interface CreditNoteRequest {
  invoice: Stripe.Invoice;
  amount: number | null;
  lines: CreditNoteLineRequest[];
  refundAmount: number | null;
  creditAmount: number | null;
  outOfBandAmount: number | null;
  reason: Stripe.CreditNote.Reason | null;
  memo: string | null;
  metadata: Record<string, string>;
}

/** What a credit note does, computed without touching any state (create applies it, preview shows it). */
export interface CreditNotePlan {
  type: "pre_payment" | "post_payment";
  total: number;
  lines: { line: CreditNoteLineRequest; amount: number; quantity: number; unitAmount: number | null; description: string | null }[];
  refund: number;
  credit: number;
  outOfBand: number;
}

/** Amount already credited on this invoice by issued credit notes of each kind. */
function credited(engine: Engine, invoice: Stripe.Invoice, type: "pre_payment" | "post_payment"): number {
  return engine.store
    .all("credit_note")
    .filter((note) => note.status === "issued" && idOf(note.invoice) === invoice.id)
    .reduce((sum, note) => sum + (type === "pre_payment" ? note.pre_payment_amount : note.post_payment_amount), 0);
}

function lineAmount(invoice: Stripe.Invoice, line: CreditNoteLineRequest, index: number, engine: Engine): CreditNotePlan["lines"][number] {
  const param = `lines[${index}]`;
  if (line.type === "custom_line_item") {
    if (line.unitAmount === null) throw invalidRequest("Missing required param: unit_amount.", `${param}[unit_amount]`, "parameter_missing");
    const quantity = line.quantity ?? 1;
    return { line, amount: line.unitAmount * quantity, quantity, unitAmount: line.unitAmount, description: line.description };
  }
  if (line.invoiceLineItem === null) throw invalidRequest("Missing required param: invoice_line_item.", `${param}[invoice_line_item]`, "parameter_missing");
  const invoiceLine = invoice.lines.data.find((candidate) => candidate.id === line.invoiceLineItem);
  if (invoiceLine === undefined)
    throw invalidRequest(`No such invoice line item ${line.invoiceLineItem} on invoice ${invoice.id}.`, `${param}[invoice_line_item]`, "resource_missing");
  const lineQuantity = invoiceLine.quantity ?? 1;
  let amount: number;
  if (line.amount !== null) amount = line.amount;
  else if (line.quantity !== null && line.quantity !== lineQuantity) {
    const priceId = invoiceLine.pricing?.price_details?.price;
    const price = typeof priceId === "string" ? engine.store.get("price", priceId) : priceId;
    if (price?.unit_amount === null || price?.unit_amount === undefined)
      throw invalidRequest("Give `amount` to credit part of a line without a whole unit amount.", `${param}[amount]`);
    amount = price.unit_amount * line.quantity;
  } else amount = invoiceLine.amount;
  if (amount <= 0 || amount > invoiceLine.amount)
    throw invalidRequest(`The credit note line amount (${amount}) must be positive and at most the line's amount (${invoiceLine.amount}).`, `${param}[amount]`);
  return { line, amount, quantity: line.quantity ?? lineQuantity, unitAmount: null, description: line.description ?? invoiceLine.description };
}

export function planCreditNote(engine: Engine, request: CreditNoteRequest): CreditNotePlan {
  const invoice = request.invoice;
  if (invoice.status !== "open" && invoice.status !== "paid")
    throw invalidRequest(`You can only create credit notes on open or paid invoices; this one is ${invoice.status}.`, "invoice", "invoice_not_editable");
  const lines = request.lines.map((line, index) => lineAmount(invoice, line, index, engine));
  const linesTotal = lines.reduce((sum, line) => sum + line.amount, 0);
  if (lines.length > 0 && request.amount !== null && request.amount !== linesTotal)
    throw invalidRequest(`The amount (${request.amount}) does not match the sum of the lines (${linesTotal}).`, "amount");
  const total = lines.length > 0 ? linesTotal : (request.amount ?? 0);
  if (lines.length === 0 && request.amount === null) throw invalidRequest("One of `amount` or `lines` is required.", "amount", "parameter_missing");
  if (total <= 0) throw invalidRequest("The credit note amount must be positive.", "amount");
  if (invoice.status === "open") {
    if (request.refundAmount !== null || request.creditAmount !== null || request.outOfBandAmount !== null)
      throw invalidRequest("refund_amount, credit_amount and out_of_band_amount apply to paid invoices only.", "refund_amount");
    if (total > invoice.amount_remaining)
      throw invalidRequest(`The credit note amount (${total}) is more than the invoice's amount remaining (${invoice.amount_remaining}).`, "amount");
    return { type: "pre_payment", total, lines, refund: 0, credit: 0, outOfBand: 0 };
  }
  const creditable = invoice.amount_paid - credited(engine, invoice, "post_payment");
  if (total > creditable) throw invalidRequest(`The credit note amount (${total}) is more than what is left to credit on the invoice (${creditable}).`, "amount");
  const refund = request.refundAmount ?? 0;
  const outOfBand = request.outOfBandAmount ?? 0;
  // The emulator's choice, as Stripe's API does: what is not refunded or settled out of band goes to the customer's balance.
  const credit = request.creditAmount ?? total - refund - outOfBand;
  if (refund < 0 || outOfBand < 0 || credit < 0 || refund + credit + outOfBand !== total)
    throw invalidRequest(
      `refund_amount (${refund}) + credit_amount (${credit}) + out_of_band_amount (${outOfBand}) must equal the credit note amount (${total}).`,
      "refund_amount",
    );
  if (refund > 0 && chargeOf(engine, invoice) === null) throw invalidRequest("This invoice was not paid by a charge, so nothing can be refunded.", "refund_amount");
  return { type: "post_payment", total, lines, refund, credit, outOfBand };
}

function chargeOf(engine: Engine, invoice: Stripe.Invoice): Stripe.Charge | null {
  const payment = engine.store.all("invoice_payment").find((candidate) => idOf(candidate.invoice) === invoice.id && candidate.status === "paid");
  const intentId = payment?.payment.payment_intent;
  const intent = typeof intentId === "string" ? engine.store.get("payment_intent", intentId) : undefined;
  const chargeId = idOf(intent?.latest_charge);
  return chargeId === null ? null : (engine.store.get("charge", chargeId) ?? null);
}

export function creditNoteFromPlan(engine: Engine, request: CreditNoteRequest, plan: CreditNotePlan, id: string): Stripe.CreditNote {
  const invoice = request.invoice;
  const sequence = engine.store.all("credit_note").filter((note) => idOf(note.invoice) === invoice.id).length + 1;
  return buildCreditNote({
    id,
    created: engine.nowForCustomer(idOf(invoice.customer)),
    customer: idOf(invoice.customer) ?? "",
    invoice: invoice.id,
    currency: invoice.currency,
    number: `${invoice.number ?? invoice.id}-CN-${String(sequence).padStart(2, "0")}`,
    type: plan.type,
    total: plan.total,
    outOfBandAmount: plan.type === "post_payment" && plan.outOfBand > 0 ? plan.outOfBand : null,
    reason: request.reason,
    memo: request.memo,
    metadata: request.metadata,
    pdf: `${engine.baseUrl}/_emulator/credit_notes/${id}/pdf`,
    lines: plan.lines.map((line) =>
      buildCreditNoteLine({
        id: engine.id("cnli"),
        type: line.line.type,
        amount: line.amount,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        description: line.description,
        invoiceLineItem: line.line.invoiceLineItem,
        metadata: line.line.metadata,
      }),
    ),
  });
}

/** Issues a credit note: lowers an open invoice's amount due, or refunds / credits the customer for a paid one. */
export function issueCreditNote(engine: Engine, request: CreditNoteRequest): Stripe.CreditNote {
  const plan = planCreditNote(engine, request);
  const invoice = request.invoice;
  const note = creditNoteFromPlan(engine, request, plan, engine.id("cn"));
  const now = note.created;
  if (plan.refund > 0) {
    const charge = chargeOf(engine, invoice);
    if (charge !== null) {
      const refund = refundCharge(engine, charge, plan.refund, null, {});
      note.refunds.push({ amount_refunded: plan.refund, payment_record_refund: null, refund: refund.id, type: "refund" });
    }
  }
  if (plan.credit > 0) note.customer_balance_transaction = adjustBalance(engine, invoice, note, -plan.credit, now).id;
  engine.store.insert("credit_note", note);
  engine.emit("credit_note.created", note);
  const before = snapshot(invoice);
  if (plan.type === "pre_payment") {
    invoice.pre_payment_credit_notes_amount += plan.total;
    refreshTotals(invoice);
  } else invoice.post_payment_credit_notes_amount += plan.total;
  emitInvoiceUpdated(engine, invoice, before);
  if (plan.type === "pre_payment" && invoice.amount_remaining === 0) {
    // Stripe marks an invoice credited down to nothing as paid.
    markInvoicePaid(engine, invoice, now, 0);
    onInvoicePaid(engine, invoice);
  }
  return note;
}

/** Voids an issued credit note, undoing what it did where that can be undone. */
export function voidCreditNote(engine: Engine, note: Stripe.CreditNote): Stripe.CreditNote {
  if (note.status !== "issued") throw invalidRequest(`Credit note ${note.id} is already void.`, undefined, "credit_note_already_voided");
  const invoice = engine.store.require("invoice", idOf(note.invoice) ?? "");
  if (note.refunds.length > 0) throw invalidRequest("A credit note that refunded a charge cannot be voided (the emulator's rule).", undefined);
  if (note.type === "pre_payment" && invoice.status !== "open")
    throw invalidRequest(`A pre-payment credit note can only be voided while its invoice is open; this one is ${invoice.status}.`, undefined);
  const now = engine.nowForCustomer(idOf(invoice.customer));
  engine.track(note, "credit_note.voided", () => {
    note.status = "void";
    note.voided_at = now;
  });
  const credit = note.post_payment_amount - (note.out_of_band_amount ?? 0);
  if (note.type === "post_payment" && credit > 0) adjustBalance(engine, invoice, note, credit, now);
  const before = snapshot(invoice);
  if (note.type === "pre_payment") {
    invoice.pre_payment_credit_notes_amount -= note.pre_payment_amount;
    refreshTotals(invoice);
  } else invoice.post_payment_credit_notes_amount -= note.post_payment_amount;
  emitInvoiceUpdated(engine, invoice, before);
  return note;
}

/** A customer balance transaction of type credit_note (negative = credit to the customer). */
function adjustBalance(engine: Engine, invoice: Stripe.Invoice, note: Stripe.CreditNote, amount: number, now: number): Stripe.CustomerBalanceTransaction {
  const customer = engine.store.require("customer", idOf(invoice.customer) ?? "");
  engine.track(customer, "customer.updated", () => {
    customer.balance += amount;
  });
  const transaction = buildBalanceTransaction({
    id: engine.id("cbtxn"),
    created: now,
    customer: customer.id,
    amount,
    currency: invoice.currency,
    endingBalance: customer.balance,
    type: "credit_note",
    description: amount < 0 ? `Credit note ${note.number}` : `Void of credit note ${note.number}`,
    invoice: invoice.id,
    creditNote: note.id,
    metadata: null,
  });
  engine.store.insert("customer_balance_transaction", transaction);
  return transaction;
}
