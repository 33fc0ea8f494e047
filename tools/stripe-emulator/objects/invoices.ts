import Stripe from "stripe";

export interface InvoiceInput {
  id: string;
  created: number;
  customer: Stripe.Customer;
  subscription: string | null;
  billingReason: Stripe.Invoice.BillingReason;
  currency: string;
  collectionMethod: Stripe.Invoice.CollectionMethod;
  autoAdvance: boolean;
  periodStart: number;
  periodEnd: number;
  description: string | null;
  metadata: Record<string, string>;
  daysUntilDue: number | null;
  defaultPaymentMethod: string | null;
  hostedBaseUrl: string;
}

export function buildInvoice(input: InvoiceInput): Stripe.Invoice {
  const invoice = buildInvoiceFields(input);
  // Stripe's fixtures still carry the legacy top-level `subscription` (null); the current API names it under `parent`.
  return Object.assign(invoice, { subscription: null });
}

function buildInvoiceFields(input: InvoiceInput): Stripe.Invoice {
  const customer = input.customer;
  return {
    id: input.id,
    object: "invoice",
    account_country: "US",
    account_name: "Tally (Stripe emulator)",
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: input.autoAdvance,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: input.collectionMethod,
    created: input.created,
    currency: input.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: customer.tax_exempt ?? "none",
    customer_tax_ids: [],
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    due_date: input.daysUntilDue === null ? null : input.created + input.daysUntilDue * 86_400,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: [], has_more: false, url: `/v1/invoices/${input.id}/lines` },
    livemode: false,
    metadata: input.metadata,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent:
      input.subscription === null
        ? null
        : {
            quote_details: null,
            subscription_details: { metadata: null, subscription: input.subscription },
            type: "subscription_details",
          },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: idOf(customer.test_clock),
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
}

export type LineParent =
  | { kind: "invoice_item"; invoiceItem: string; subscription: string | null; proration: boolean }
  | { kind: "subscription_item"; subscriptionItem: string; subscription: string; proration: boolean; invoiceItem: string | null };

export interface LineInput {
  id: string;
  invoice: string | null;
  amount: number;
  currency: string;
  description: string | null;
  periodStart: number;
  periodEnd: number;
  quantity: number;
  price: Stripe.Price | null;
  unitAmountDecimal: string | null;
  parent: LineParent;
  metadata: Record<string, string>;
}

export function buildLineItem(input: LineInput): Stripe.InvoiceLineItem {
  const parent = input.parent;
  return {
    id: input.id,
    object: "line_item",
    amount: input.amount,
    currency: input.currency,
    description: input.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: input.invoice,
    livemode: false,
    metadata: input.metadata,
    parent:
      parent.kind === "invoice_item"
        ? {
            invoice_item_details: {
              invoice_item: parent.invoiceItem,
              proration: parent.proration,
              proration_details: { credited_items: null },
              subscription: parent.subscription,
            },
            subscription_item_details: null,
            type: "invoice_item_details",
          }
        : {
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: parent.invoiceItem,
              proration: parent.proration,
              proration_details: { credited_items: null },
              subscription: parent.subscription,
              subscription_item: parent.subscriptionItem,
            },
            type: "subscription_item_details",
          },
    period: { end: input.periodEnd, start: input.periodStart },
    pretax_credit_amounts: [],
    pricing: {
      ...(input.price === null ? {} : { price_details: { price: input.price.id, product: productId(input.price) } }),
      type: "price_details",
      unit_amount_decimal: input.unitAmountDecimal === null ? null : Stripe.Decimal.from(input.unitAmountDecimal),
    },
    quantity: input.quantity,
    quantity_decimal: Stripe.Decimal.from(String(input.quantity)),
    subscription: parent.kind === "subscription_item" ? parent.subscription : parent.subscription,
    subtotal: input.amount,
    taxes: [],
  };
}

export interface InvoiceItemInput {
  id: string;
  created: number;
  customer: string;
  testClock: string | null;
  amount: number;
  currency: string;
  description: string | null;
  periodStart: number;
  periodEnd: number;
  quantity: number;
  price: Stripe.Price | null;
  unitAmountDecimal: string | null;
  subscription: string | null;
  subscriptionItem: string | null;
  proration: boolean;
  invoice: string | null;
  metadata: Record<string, string>;
}

export function buildInvoiceItem(input: InvoiceItemInput): Stripe.InvoiceItem {
  return {
    id: input.id,
    object: "invoiceitem",
    amount: input.amount,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    date: input.created,
    description: input.description,
    discountable: true,
    discounts: [],
    invoice: input.invoice,
    livemode: false,
    metadata: input.metadata,
    net_amount: input.amount,
    parent:
      input.subscription === null
        ? null
        : {
            subscription_details: {
              subscription: input.subscription,
              ...(input.subscriptionItem === null ? {} : { subscription_item: input.subscriptionItem }),
            },
            type: "subscription_details",
          },
    period: { end: input.periodEnd, start: input.periodStart },
    pricing: {
      ...(input.price === null ? {} : { price_details: { price: input.price.id, product: productId(input.price) } }),
      type: "price_details",
      unit_amount_decimal: input.unitAmountDecimal === null ? null : Stripe.Decimal.from(input.unitAmountDecimal),
    },
    proration: input.proration,
    proration_details: { credited_items: null, discount_amounts: [] },
    quantity: input.quantity,
    quantity_decimal: Stripe.Decimal.from(String(input.quantity)),
    tax_rates: [],
    test_clock: input.testClock,
  };
}

function productId(price: Stripe.Price): string {
  return typeof price.product === "string" ? price.product : price.product.id;
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}
