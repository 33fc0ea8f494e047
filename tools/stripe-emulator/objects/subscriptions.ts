import type Stripe from "stripe";
import { planFromPrice } from "./catalog";

export interface SubscriptionInput {
  id: string;
  created: number;
  customer: string;
  currency: string;
  billingCycleAnchor: number;
  collectionMethod: Stripe.Subscription.CollectionMethod;
  daysUntilDue: number | null;
  defaultPaymentMethod: string | null;
  description: string | null;
  metadata: Record<string, string>;
  testClock: string | null;
  trialStart: number | null;
  trialEnd: number | null;
  missingPaymentMethodBehavior: Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod;
}

export function buildSubscription(input: SubscriptionInput): Stripe.Subscription {
  return {
    id: input.id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: input.billingCycleAnchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: input.collectionMethod,
    created: input.created,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    days_until_due: input.daysUntilDue,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: "self" } },
    items: { object: "list", data: [], has_more: false, url: `/v1/subscription_items?subscription=${input.id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: input.created,
    status: "incomplete",
    test_clock: input.testClock,
    transfer_data: null,
    trial_end: input.trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: input.missingPaymentMethodBehavior } },
    trial_start: input.trialStart,
  };
}

export function buildSubscriptionItem(input: {
  id: string;
  created: number;
  subscription: string;
  price: Stripe.Price;
  quantity: number;
  metadata: Record<string, string>;
  periodStart: number;
  periodEnd: number;
}): Stripe.SubscriptionItem {
  const metered = input.price.recurring?.usage_type === "metered";
  return {
    id: input.id,
    object: "subscription_item",
    billing_thresholds: null,
    created: input.created,
    current_period_end: input.periodEnd,
    current_period_start: input.periodStart,
    current_trial: null,
    discounts: [],
    metadata: input.metadata,
    plan: planFromPrice(input.price),
    price: input.price,
    ...(metered ? {} : { quantity: input.quantity }),
    subscription: input.subscription,
    tax_rates: [],
  };
}
