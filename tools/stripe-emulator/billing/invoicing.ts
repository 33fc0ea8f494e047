import type Stripe from "stripe";
import { snapshot, type Engine } from "../engine";
import { buildBalanceTransaction } from "../objects/customers";
import { buildInvoice, buildInvoiceItem, buildLineItem, idOf } from "../objects/invoices";
import type { LineDraft } from "./lines";
import { onInvoicePaid } from "./subscription-status";

export interface NewInvoice {
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | null;
  billingReason: Stripe.Invoice.BillingReason;
  periodStart: number;
  periodEnd: number;
  autoAdvance: boolean;
  collectionMethod: Stripe.Invoice.CollectionMethod;
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  currency: string;
}

const linesMax = 250;

/** Stores a draft invoice; lines are added next, then `invoice.created` is emitted by the caller. */
export function createDraftInvoice(engine: Engine, input: NewInvoice): Stripe.Invoice {
  const invoice = buildInvoice({
    id: engine.id("in"),
    created: engine.nowForCustomer(input.customer.id),
    customer: input.customer,
    subscription: input.subscription?.id ?? null,
    billingReason: input.billingReason,
    currency: input.currency,
    collectionMethod: input.collectionMethod,
    autoAdvance: input.autoAdvance,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    description: input.description,
    metadata: input.metadata,
    daysUntilDue: input.daysUntilDue,
    defaultPaymentMethod: input.defaultPaymentMethod,
    hostedBaseUrl: engine.baseUrl,
  });
  if (input.autoAdvance) invoice.automatically_finalizes_at = invoice.created + engine.config.draftWindowSeconds;
  return engine.store.insert("invoice", invoice);
}

export function lineFromDraft(engine: Engine, draft: LineDraft, invoiceId: string | null, invoiceItemId: string | null): Stripe.InvoiceLineItem {
  return buildLineItem({
    id: engine.id(invoiceId === null ? "il_tmp" : "il"),
    invoice: invoiceId,
    amount: draft.amount,
    currency: draft.price?.currency ?? "usd",
    description: draft.description,
    periodStart: draft.periodStart,
    periodEnd: draft.periodEnd,
    quantity: draft.quantity,
    price: draft.price,
    unitAmountDecimal: draft.unitAmountDecimal,
    metadata: draft.metadata,
    parent:
      invoiceItemId !== null || draft.subscriptionItem === null || draft.subscription === null
        ? { kind: "invoice_item", invoiceItem: invoiceItemId ?? engine.id("ii_tmp"), subscription: draft.subscription, proration: draft.proration }
        : { kind: "subscription_item", subscriptionItem: draft.subscriptionItem, subscription: draft.subscription, proration: draft.proration, invoiceItem: null },
  });
}

export function addLine(invoice: Stripe.Invoice, line: Stripe.InvoiceLineItem): void {
  if (invoice.lines.data.length >= linesMax) throw new Error(`an invoice holds at most ${linesMax} lines`);
  invoice.lines.data.push(line);
  refreshTotals(invoice);
}

/** Stores an invoice item (pending when `invoiceId` is null) and emits `invoiceitem.created`. */
export function createInvoiceItem(engine: Engine, customerId: string, draft: LineDraft, invoiceId: string | null): Stripe.InvoiceItem {
  const item = buildInvoiceItem({
    id: engine.id("ii"),
    created: engine.nowForCustomer(customerId),
    customer: customerId,
    testClock: engine.clockOfCustomer(customerId),
    amount: draft.amount,
    currency: draft.price?.currency ?? "usd",
    description: draft.description,
    periodStart: draft.periodStart,
    periodEnd: draft.periodEnd,
    quantity: draft.quantity,
    price: draft.price,
    unitAmountDecimal: draft.unitAmountDecimal,
    subscription: draft.subscription,
    subscriptionItem: draft.subscriptionItem,
    proration: draft.proration,
    invoice: null,
    metadata: draft.metadata,
  });
  engine.store.insert("invoiceitem", item);
  if (invoiceId !== null) attachInvoiceItem(engine, engine.store.require("invoice", invoiceId), item, draft);
  engine.emit("invoiceitem.created", item);
  return item;
}

export function attachInvoiceItem(engine: Engine, invoice: Stripe.Invoice, item: Stripe.InvoiceItem, draft?: LineDraft): void {
  item.invoice = invoice.id;
  const price = item.pricing?.price_details?.price;
  const priceObject = typeof price === "string" ? (engine.store.get("price", price) ?? null) : (price ?? null);
  const subscription = item.parent?.subscription_details?.subscription ?? null;
  const line = lineFromDraft(
    engine,
    draft ?? {
      amount: item.amount,
      description: item.description ?? "",
      periodStart: item.period.start,
      periodEnd: item.period.end,
      quantity: item.quantity,
      price: priceObject,
      unitAmountDecimal: item.pricing?.unit_amount_decimal?.toString() ?? null,
      subscription,
      subscriptionItem: item.parent?.subscription_details?.subscription_item ?? null,
      proration: item.proration,
      metadata: item.metadata ?? {},
    },
    invoice.id,
    item.id,
  );
  addLine(invoice, line);
}

/** Pulls the customer's pending invoice items: those of this subscription and those of no subscription. */
export function attachPendingItems(engine: Engine, invoice: Stripe.Invoice, subscriptionId: string | null): void {
  const customerId = idOf(invoice.customer);
  for (const item of engine.store.all("invoiceitem")) {
    if (item.invoice !== null || idOf(item.customer) !== customerId) continue;
    const itemSubscription = item.parent?.subscription_details?.subscription ?? null;
    if (itemSubscription !== null && itemSubscription !== subscriptionId) continue;
    attachInvoiceItem(engine, invoice, item);
  }
}

export function refreshTotals(invoice: Stripe.Invoice): void {
  const subtotal = invoice.lines.data.reduce((sum, line) => sum + line.amount, 0);
  invoice.subtotal = subtotal;
  invoice.subtotal_excluding_tax = subtotal;
  invoice.total = subtotal;
  invoice.total_excluding_tax = subtotal;
  const beforeCredits = invoice.status === "draft" ? Math.max(subtotal, 0) : Math.max(subtotal + invoice.starting_balance, 0);
  invoice.amount_due = Math.max(beforeCredits - invoice.pre_payment_credit_notes_amount, 0);
  invoice.amount_remaining = Math.max(invoice.amount_due - invoice.amount_paid, 0);
}

/** draft → open: numbers the invoice, applies the customer's balance, and emits `invoice.finalized`. */
export function finalizeInvoice(engine: Engine, invoice: Stripe.Invoice): void {
  const customer = engine.store.require("customer", idOf(invoice.customer) ?? "");
  const now = engine.nowForCustomer(customer.id);
  const before = snapshot(invoice);
  const sequence = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = sequence + 1;
  invoice.number = `${customer.invoice_prefix ?? "INV"}-${String(sequence).padStart(4, "0")}`;
  invoice.status = "open";
  invoice.status_transitions.finalized_at = now;
  invoice.effective_at = now;
  invoice.automatically_finalizes_at = null;
  invoice.hosted_invoice_url = `${engine.baseUrl}/_emulator/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${engine.baseUrl}/_emulator/invoices/${invoice.id}/pdf`;
  if (invoice.collection_method === "send_invoice" && invoice.due_date === null) invoice.due_date = now + 30 * 86_400;
  applyCustomerBalance(engine, customer, invoice, now);
  refreshTotals(invoice);
  engine.emit("invoice.finalized", invoice);
  emitInvoiceUpdated(engine, invoice, before);
  if (invoice.amount_remaining === 0) {
    markInvoicePaid(engine, invoice, now);
    onInvoicePaid(engine, invoice);
  }
}

/**
 * Stripe applies the customer's balance at finalization: a credit (negative balance) reduces the
 * amount due, a debit is added to it; what is left of a credit stays on the customer.
 */
function applyCustomerBalance(engine: Engine, customer: Stripe.Customer, invoice: Stripe.Invoice, now: number): void {
  const starting = customer.balance;
  invoice.starting_balance = starting;
  if (starting === 0) {
    invoice.ending_balance = 0;
    return;
  }
  const combined = invoice.total + starting;
  const ending = combined >= 0 ? 0 : combined;
  invoice.ending_balance = ending;
  if (ending === starting) return;
  engine.track(customer, "customer.updated", () => {
    customer.balance = ending;
  });
  engine.store.insert(
    "customer_balance_transaction",
    buildBalanceTransaction({
      id: engine.id("cbtxn"),
      created: now,
      customer: customer.id,
      amount: ending - starting,
      currency: invoice.currency,
      endingBalance: ending,
      type: "applied_to_invoice",
      description: null,
      invoice: invoice.id,
      creditNote: null,
      metadata: null,
    }),
  );
}

/**
 * Stripe also sends `invoice.updated` when an invoice's status changes (next to `invoice.finalized`,
 * `invoice.paid`, `invoice.voided`, `invoice.marked_uncollectible`), with the changed fields in
 * `previous_attributes`.
 */
export function emitInvoiceUpdated(engine: Engine, invoice: Stripe.Invoice, before: Record<string, unknown>): void {
  const after = snapshot(invoice);
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  if (Object.keys(previous).length > 0) engine.emit("invoice.updated", invoice, previous);
}

export function markInvoicePaid(engine: Engine, invoice: Stripe.Invoice, paidAt: number, amountPaid = invoice.amount_remaining): void {
  const before = snapshot(invoice);
  invoice.amount_paid += amountPaid;
  invoice.status = "paid";
  invoice.status_transitions.paid_at = paidAt;
  invoice.next_payment_attempt = null;
  refreshTotals(invoice);
  engine.emit("invoice.paid", invoice);
  emitInvoiceUpdated(engine, invoice, before);
}

export function voidInvoice(engine: Engine, invoice: Stripe.Invoice): void {
  const before = snapshot(invoice);
  invoice.status = "void";
  invoice.status_transitions.voided_at = engine.nowForCustomer(idOf(invoice.customer));
  invoice.next_payment_attempt = null;
  invoice.amount_remaining = 0;
  engine.emit("invoice.voided", invoice);
  emitInvoiceUpdated(engine, invoice, before);
}

export function markInvoiceUncollectible(engine: Engine, invoice: Stripe.Invoice): void {
  const before = snapshot(invoice);
  invoice.status = "uncollectible";
  invoice.status_transitions.marked_uncollectible_at = engine.nowForCustomer(idOf(invoice.customer));
  invoice.next_payment_attempt = null;
  engine.emit("invoice.marked_uncollectible", invoice);
  emitInvoiceUpdated(engine, invoice, before);
}
