import type Stripe from "stripe";
import type { CardBehavior } from "../engine";

/** Stripe's test payment method tokens and what charging them does. */
export interface TestCard {
  brand: string;
  last4: string;
  funding: string;
  /** A card that fails when attached (Stripe checks it then). */
  attachDeclineCode: string | null;
  behavior: CardBehavior;
}

const visa = { brand: "visa", funding: "credit" };

export const testCards: Record<string, TestCard> = {
  pm_card_visa: { ...visa, last4: "4242", attachDeclineCode: null, behavior: { outcome: "succeed" } },
  pm_card_visa_debit: { brand: "visa", funding: "debit", last4: "5556", attachDeclineCode: null, behavior: { outcome: "succeed" } },
  pm_card_mastercard: { brand: "mastercard", funding: "credit", last4: "4444", attachDeclineCode: null, behavior: { outcome: "succeed" } },
  pm_card_amex: { brand: "amex", funding: "credit", last4: "8431", attachDeclineCode: null, behavior: { outcome: "succeed" } },
  pm_card_chargeDeclined: {
    ...visa,
    last4: "0002",
    attachDeclineCode: "generic_decline",
    behavior: { outcome: "decline", declineCode: "generic_decline" },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    ...visa,
    last4: "9995",
    attachDeclineCode: "insufficient_funds",
    behavior: { outcome: "decline", declineCode: "insufficient_funds" },
  },
  pm_card_chargeCustomerFail: {
    ...visa,
    last4: "0341",
    attachDeclineCode: null,
    behavior: { outcome: "decline", declineCode: "generic_decline" },
  },
};

/** `tok_*` card tokens map onto the same cards. */
export const testTokens: Record<string, string> = {
  tok_visa: "pm_card_visa",
  tok_visa_debit: "pm_card_visa_debit",
  tok_mastercard: "pm_card_mastercard",
  tok_amex: "pm_card_amex",
  tok_chargeDeclined: "pm_card_chargeDeclined",
  tok_chargeDeclinedInsufficientFunds: "pm_card_chargeDeclinedInsufficientFunds",
  tok_chargeCustomerFail: "pm_card_chargeCustomerFail",
};

export function buildCardPaymentMethod(input: {
  id: string;
  created: number;
  card: TestCard;
  fingerprint: string;
  metadata: Record<string, string>;
}): Stripe.PaymentMethod {
  return {
    id: input.id,
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: input.card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: input.card.brand,
      exp_month: 12,
      exp_year: new Date(input.created * 1000).getUTCFullYear() + 3,
      fingerprint: input.fingerprint,
      funding: input.card.funding,
      generated_from: null,
      last4: input.card.last4,
      networks: { available: [input.card.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: input.created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: input.metadata,
    type: "card",
  };
}
