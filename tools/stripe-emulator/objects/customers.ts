import type Stripe from "stripe";

export interface CustomerInput {
  id: string;
  created: number;
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
  testClock: string | null;
  invoicePrefix: string;
}

export function buildCustomer(input: CustomerInput): Stripe.Customer {
  return {
    id: input.id,
    object: "customer",
    address: null,
    balance: 0,
    created: input.created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: input.description,
    discount: null,
    email: input.email,
    invoice_prefix: input.invoicePrefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: input.metadata,
    name: input.name,
    next_invoice_sequence: 1,
    phone: input.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: input.testClock,
  };
}

export interface BalanceTransactionInput {
  id: string;
  created: number;
  customer: string;
  amount: number;
  currency: string;
  endingBalance: number;
  type: Stripe.CustomerBalanceTransaction.Type;
  description: string | null;
  invoice: string | null;
  creditNote: string | null;
  metadata: Record<string, string> | null;
}

export function buildBalanceTransaction(input: BalanceTransactionInput): Stripe.CustomerBalanceTransaction {
  return {
    id: input.id,
    object: "customer_balance_transaction",
    amount: input.amount,
    checkout_session: null,
    created: input.created,
    credit_note: input.creditNote,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description,
    ending_balance: input.endingBalance,
    invoice: input.invoice,
    livemode: false,
    metadata: input.metadata,
    type: input.type,
  };
}
