import Stripe from "stripe";

export interface ProductInput {
  id: string;
  created: number;
  name: string;
  description: string | null;
  active: boolean;
  metadata: Record<string, string>;
  unitLabel: string | null;
}

export function buildProduct(input: ProductInput): Stripe.Product {
  return {
    id: input.id,
    object: "product",
    active: input.active,
    created: input.created,
    default_price: null,
    description: input.description,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata,
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: input.unitLabel,
    updated: input.created,
    url: null,
  };
}

export interface PriceInput {
  id: string;
  created: number;
  product: string;
  currency: string;
  /** Minor units as an exact decimal string ("2000", or "0.25" for a fraction of a cent). */
  unitAmountDecimal: string;
  active: boolean;
  nickname: string | null;
  lookupKey: string | null;
  metadata: Record<string, string>;
  recurring: null | {
    interval: Stripe.Price.Recurring.Interval;
    intervalCount: number;
    usageType: Stripe.Price.Recurring.UsageType;
    meter: string | null;
    trialPeriodDays: number | null;
  };
}

export function buildPrice(input: PriceInput): Stripe.Price {
  const whole = /^\d+$/.test(input.unitAmountDecimal);
  return {
    id: input.id,
    object: "price",
    active: input.active,
    billing_scheme: "per_unit",
    created: input.created,
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookupKey,
    metadata: input.metadata,
    nickname: input.nickname,
    product: input.product,
    recurring:
      input.recurring === null
        ? null
        : {
            interval: input.recurring.interval,
            interval_count: input.recurring.intervalCount,
            meter: input.recurring.meter,
            trial_period_days: input.recurring.trialPeriodDays,
            usage_type: input.recurring.usageType,
          },
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring === null ? "one_time" : "recurring",
    unit_amount: whole ? Number(input.unitAmountDecimal) : null,
    unit_amount_decimal: Stripe.Decimal.from(input.unitAmountDecimal),
  };
}

/** The legacy `plan` view of a recurring price, still embedded in subscription items. */
export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring;
  if (recurring === null) throw new Error(`price ${price.id} is not recurring`);
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: recurring.meter,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: recurring.trial_period_days,
    usage_type: recurring.usage_type,
  };
}

/** The price's unit amount as an exact decimal string in minor units. */
export function unitAmountOf(price: Stripe.Price): string {
  return price.unit_amount_decimal === null ? String(price.unit_amount ?? 0) : price.unit_amount_decimal.toString();
}
