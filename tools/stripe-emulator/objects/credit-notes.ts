import Stripe from "stripe";

export interface CreditNoteLineInput {
  id: string;
  type: "invoice_line_item" | "custom_line_item";
  amount: number;
  quantity: number;
  unitAmount: number | null;
  description: string | null;
  invoiceLineItem: string | null;
  metadata: Record<string, string> | null;
}

export function buildCreditNoteLine(input: CreditNoteLineInput): Stripe.CreditNoteLineItem {
  return {
    id: input.id,
    object: "credit_note_line_item",
    amount: input.amount,
    description: input.description,
    discount_amount: 0,
    discount_amounts: [],
    ...(input.invoiceLineItem === null ? {} : { invoice_line_item: input.invoiceLineItem }),
    livemode: false,
    metadata: input.metadata,
    pretax_credit_amounts: [],
    quantity: input.quantity,
    tax_rates: [],
    taxes: [],
    type: input.type,
    unit_amount: input.unitAmount,
    unit_amount_decimal: input.unitAmount === null ? null : Stripe.Decimal.from(String(input.unitAmount)),
  };
}

export interface CreditNoteInput {
  id: string;
  created: number;
  customer: string;
  invoice: string;
  currency: string;
  number: string;
  type: "pre_payment" | "post_payment";
  total: number;
  outOfBandAmount: number | null;
  reason: Stripe.CreditNote.Reason | null;
  memo: string | null;
  metadata: Record<string, string>;
  pdf: string;
  lines: Stripe.CreditNoteLineItem[];
}

export function buildCreditNote(input: CreditNoteInput): Stripe.CreditNote {
  return {
    id: input.id,
    object: "credit_note",
    amount: input.total,
    amount_shipping: 0,
    created: input.created,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: input.created,
    invoice: input.invoice,
    lines: { object: "list", data: input.lines, has_more: false, url: `/v1/credit_notes/${input.id}/lines` },
    livemode: false,
    memo: input.memo,
    metadata: input.metadata,
    number: input.number,
    out_of_band_amount: input.outOfBandAmount,
    pdf: input.pdf,
    post_payment_amount: input.type === "post_payment" ? input.total : 0,
    pre_payment_amount: input.type === "pre_payment" ? input.total : 0,
    pretax_credit_amounts: [],
    reason: input.reason,
    refunds: [],
    shipping_cost: null,
    status: "issued",
    subtotal: input.total,
    subtotal_excluding_tax: input.total,
    total: input.total,
    total_excluding_tax: input.total,
    total_taxes: [],
    type: input.type,
    voided_at: null,
  };
}
