import { z } from "zod";
import { customerKinds, invoiceKinds, invoiceLineKinds, invoiceStatuses, subscriptionStatuses } from "@/db/schema";
import { cents, currency, decimalString, microsString, timestamp } from "./schemas";

/* The resources of /api/v1 as zod schemas: the spec is generated from these, and every answer is checked against them. */

export const customerSchema = z
  .strictObject({
    object: z.literal("customer"),
    id: z.uuid().meta({ description: "Tally's id." }),
    external_id: z.string().meta({ description: "The product's own id for the customer; usage events name it as `subject`." }),
    name: z.string(),
    email: z.string(),
    kind: z.enum(customerKinds),
    currency,
    metadata: z.record(z.string(), z.string()),
    archived_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Customer", description: "A customer of the product." });

export const subscriptionSchema = z
  .strictObject({
    object: z.literal("subscription"),
    id: z.uuid(),
    customer: z.uuid().meta({ description: "The customer's Tally id." }),
    status: z.enum(subscriptionStatuses),
    plan: z.strictObject({ key: z.string(), name: z.string(), version: z.number().int(), plan_version_id: z.uuid() }),
    seats: z.number().int().min(1),
    currency,
    interval: z.enum(["month", "year"]),
    base_fee_per_seat_micros: microsString,
    base_fee_per_seat_cents: cents,
    billing_anchor: timestamp,
    trial_end: timestamp.nullable(),
    current_period: z.strictObject({ start: timestamp, end: timestamp }).meta({ description: "The billing period containing now, half-open [start, end)." }),
    cancel_at_period_end: z.boolean(),
    canceled_at: timestamp.nullable(),
    ended_at: timestamp.nullable(),
    spend_limit_micros: microsString.nullable().meta({ description: "Hard limit on usage-based charges per period; null = none." }),
    spend_warning_thresholds_percent: z.array(z.number().int()),
    pending_change: z
      .strictObject({ plan_version_id: z.uuid(), plan_key: z.string(), seats: z.number().int(), effective_at: timestamp })
      .nullable()
      .meta({ description: "A change scheduled for the period end (downgrades by default)." }),
    stripe_subscription_id: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Subscription", description: "A customer's subscription to a plan version." });

export const prorationLineSchema = z
  .strictObject({
    kind: z.enum(["credit", "debit"]),
    description: z.string(),
    plan_version_id: z.uuid(),
    quantity: z.number().int(),
    unit_amount_cents: cents,
    amount_cents: cents,
    amount_micros: microsString,
  })
  .meta({ id: "ProrationLine" });

export const subscriptionChangePreviewSchema = z
  .strictObject({
    object: z.literal("subscription_change_preview"),
    subscription: z.uuid(),
    currency,
    direction: z.enum(["upgrade", "downgrade", "same_price"]),
    timing: z.enum(["now", "period_end"]).meta({ description: "When this change would take effect." }),
    default_timing: z.enum(["now", "period_end"]).meta({ description: "The policy's timing: upgrades now, downgrades at period end." }),
    effective_at: timestamp,
    from: z.strictObject({ plan_key: z.string(), plan_version_id: z.uuid(), version: z.number().int(), seats: z.number().int(), per_period_micros: microsString }),
    to: z.strictObject({ plan_key: z.string(), plan_version_id: z.uuid(), version: z.number().int(), seats: z.number().int(), per_period_micros: microsString }),
    period: z.strictObject({ start: timestamp, end: timestamp }),
    proration_lines: z.array(prorationLineSchema),
    proration_total_cents: cents,
    proration_total_micros: microsString,
  })
  .meta({ id: "SubscriptionChangePreview", description: "What a change would do, to the cent, before it is made." });

export const subscriptionChangeSchema = z
  .strictObject({
    object: z.literal("subscription_change"),
    status: z.enum(["applied", "scheduled"]),
    effective_at: timestamp,
    invoice: z.uuid().nullable().meta({ description: "The proration invoice of an immediate change, when it has one." }),
    preview: subscriptionChangePreviewSchema.nullable(),
    subscription: subscriptionSchema,
  })
  .meta({ id: "SubscriptionChange", description: "The outcome of a change, cancel or resume." });

export const invoiceLineSchema = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(invoiceLineKinds),
    description: z.string(),
    product_key: z.string().nullable(),
    meter_key: z.string().nullable(),
    dimensions: z.record(z.string(), z.string()),
    service_period: z.strictObject({ start: timestamp, end: timestamp }),
    quantity: decimalString.nullable(),
    unit_price: z.string().nullable().meta({ description: "Major units per unit when one price applies, exact decimal." }),
    amount_micros: microsString,
    amount_cents: cents,
  })
  .meta({ id: "InvoiceLine" });

const totals = {
  subtotal_micros: microsString,
  subtotal_cents: cents,
  discount_micros: microsString,
  discount_cents: cents,
  credit_micros: microsString,
  credit_cents: cents,
  total_micros: microsString,
  total_cents: cents,
};

export const invoiceSchema = z
  .strictObject({
    object: z.literal("invoice"),
    id: z.uuid(),
    number: z.string().nullable(),
    customer: z.uuid(),
    subscription: z.uuid(),
    kind: z.enum(invoiceKinds),
    status: z.enum(invoiceStatuses),
    currency,
    period: z.strictObject({ start: timestamp, end: timestamp }),
    ...totals,
    lines: z.array(invoiceLineSchema),
    stripe_invoice_id: z.string().nullable(),
    issued_at: timestamp,
    finalized_at: timestamp.nullable(),
    paid_at: timestamp.nullable(),
  })
  .meta({ id: "Invoice", description: "One of Tally's invoices, with its lines." });

export const upcomingInvoiceSchema = z
  .strictObject({
    object: z.literal("upcoming_invoice"),
    customer: z.uuid(),
    subscription: z.uuid(),
    currency,
    period: z.strictObject({ start: timestamp, end: timestamp }),
    as_of: timestamp.meta({ description: "Usage is counted up to here (the end of the current rollup hour)." }),
    lines: z.array(invoiceLineSchema.omit({ id: true }).meta({ id: "UpcomingInvoiceLine" })),
    subtotal_micros: microsString,
    subtotal_cents: cents,
    discount_micros: microsString,
    discount_cents: cents,
    total_micros: microsString,
    total_cents: cents,
    credit_balance_micros: microsString.meta({ description: "Credits the customer holds now; the close applies them to eligible usage." }),
  })
  .meta({ id: "UpcomingInvoice", description: "What the current period's invoice would bill if the period closed now (usage so far, and the next period's fee in advance), before credits. Computed, never stored." });
