import type Stripe from "stripe";

export interface PhaseItemInput {
  price: Stripe.Price;
  quantity: number;
  metadata: Record<string, string>;
}

export interface PhaseInput {
  start: number;
  end: number;
  items: PhaseItemInput[];
  currency: string;
  prorationBehavior: Stripe.SubscriptionSchedule.Phase.ProrationBehavior;
  metadata: Record<string, string>;
}

export function buildPhase(input: PhaseInput): Stripe.SubscriptionSchedule.Phase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: input.currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: input.end,
    invoice_settings: null,
    items: input.items.map((item) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: item.metadata,
      plan: item.price.id,
      price: item.price.id,
      quantity: item.quantity,
      tax_rates: [],
    })),
    metadata: input.metadata,
    on_behalf_of: null,
    proration_behavior: input.prorationBehavior,
    start_date: input.start,
    transfer_data: null,
    trial_end: null,
  };
}

export interface ScheduleInput {
  id: string;
  created: number;
  customer: string;
  testClock: string | null;
  endBehavior: Stripe.SubscriptionSchedule.EndBehavior;
  phases: Stripe.SubscriptionSchedule.Phase[];
  metadata: Record<string, string>;
}

export function buildSubscriptionSchedule(input: ScheduleInput): Stripe.SubscriptionSchedule {
  return {
    id: input.id,
    object: "subscription_schedule",
    application: null,
    billing_mode: { flexible: null, type: "classic" },
    canceled_at: null,
    completed_at: null,
    created: input.created,
    current_phase: null,
    customer: input.customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: "automatic",
      billing_thresholds: null,
      collection_method: "charge_automatically",
      default_payment_method: null,
      description: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, days_until_due: null, description: null, footer: null, issuer: { type: "self" } },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: input.endBehavior,
    livemode: false,
    metadata: input.metadata,
    pause_schedules: [],
    phases: input.phases,
    released_at: null,
    released_subscription: null,
    status: "not_started",
    subscription: null,
    test_clock: input.testClock,
  };
}
