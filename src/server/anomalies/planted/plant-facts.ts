import { and, eq, inArray, notInArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { dunningCases, invoices, planVersions, plans, subscriptions, type AnomalyKind } from "@/db/schema";
import { formatMoney } from "@/lib/format";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { changeSubscription } from "@/server/customers/change-subscription";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { recordPaymentFailureFacts, settleCase } from "@/server/dunning/record-payment-failure";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { flushDenialCounts } from "@/server/entitlements/count-denials";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { burnGrants } from "@/server/grants/burn-grants";
import { issueGrant } from "@/server/grants/issue-grant";
import { closeSubscriptionPeriod } from "@/server/invoicing/close-subscription-period";
import { discrepancyKinds } from "@/server/reconciliation/discrepancy";
import { reconcile } from "@/server/reconciliation/reconcile";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpAll } from "@/server/metering/roll-up-all";
import { cloudEvent } from "@/server/metering/test-events";
import { seededRandom, type Random } from "@/server/seed/random";
import { upsertStripeInvoice } from "@/server/stripe/upsert-mirror";
import { postChargePayment, postInvoicePayment, postRefund } from "@/server/stripe/post-stripe-money";
import { upsertStripeCharge, upsertStripeInvoicePayment, upsertStripePaymentIntent, upsertStripeRefund } from "@/server/stripe/upsert-payment-mirror";

/**
 * Plants every non-usage anomaly kind through the functions production uses (the Stripe mirror
 * upserts and cash postings the webhooks run, the dunning path, period closes and plan changes,
 * grants and burn-down, entitlement checks and their refusal counter, the reconciliation job),
 * each beside control customers that look alike and must not fire. Seeded: the same seed plants
 * the same amounts and dates. `clear` undoes each planted condition the way it clears in life
 * (the duplicate refunded, the invoice paid, the grant used, the books posted).
 */

const actor = systemActor("planted-facts");
const hourMs = 3_600_000;
const dayMs = 86_400_000;
const cents = (amount: number) => BigInt(amount) * 10_000n;

export type PlantedFact = {
  /** `null`: a control that must not fire. */
  kind: AnomalyKind | null;
  label: string;
  customerId: string;
  /** Substrings the anomaly's title must hold (what happened, which object). */
  titleIncludes: string[];
  /** A partial match of the anomaly's evidence. */
  evidence: Record<string, unknown>;
  /** The money at stake, when the anomaly carries one. */
  impactMicros: bigint | null;
  /** Makes the condition go away through the normal path; the next detection auto-resolves it. */
  clear?: () => Promise<void>;
};

export type PlantFactsOptions = { seed: number; asOf: Date; perKind: number };

type Plant = { db: Db; random: Random; asOf: Date; facts: PlantedFact[]; serial: () => string };

export async function plantFacts(db: Db, options: PlantFactsOptions): Promise<PlantedFact[]> {
  const random = seededRandom(options.seed);
  let counter = 0;
  const plant: Plant = { db, random, asOf: options.asOf, facts: [], serial: () => `${options.seed}x${++counter}` };
  for (let index = 0; index < options.perKind; index++) {
    await plantDuplicateCharges(plant);
    await plantInvoicePaidTwice(plant);
    await plantDuplicateInvoices(plant);
    await plantPaymentFailures(plant);
    await plantCreditBurn(plant);
    await plantExpiringGrants(plant);
    await plantInvoiceJumps(plant);
  }
  await plantRefusals(plant, options.perKind);
  await plantReconciliation(plant, options.perKind);
  return plant.facts;
}

async function newCustomer(plant: Plant, label: string): Promise<string> {
  const externalId = `planted_${label}_${plant.serial()}`;
  const result = await upsertCustomer(plant.db, actor, fixedClock(new Date(plant.asOf.getTime() - 200 * dayMs)), { externalId, name: externalId, email: `${externalId}@planted.example`, kind: "team", reason: "planted fact" });
  return result.customer.id;
}

// ---- Stripe objects as the webhooks carry them --------------------------------------------------

/** `intent`: the payment intent the charge belongs to (an invoice's retries share one); default its own. */
type ChargeSpec = { id: string; intent?: string; customerId: string; created: Date; amount: number; status?: "succeeded" | "failed"; refunded?: number; failureMessage?: string; description?: string };

function stripeCharge(spec: ChargeSpec): Stripe.Charge {
  const status = spec.status ?? "succeeded";
  return {
    id: `ch_${spec.id}`,
    object: "charge",
    livemode: false,
    created: Math.floor(spec.created.getTime() / 1000),
    customer: `cus_${spec.customerId.slice(0, 8)}`,
    payment_intent: `pi_${spec.intent ?? spec.id}`,
    amount: spec.amount,
    amount_captured: status === "succeeded" ? spec.amount : 0,
    amount_refunded: spec.refunded ?? 0,
    currency: "usd",
    status,
    paid: status === "succeeded",
    captured: status === "succeeded",
    refunded: (spec.refunded ?? 0) >= spec.amount,
    disputed: false,
    description: spec.description ?? "planted payment",
    failure_code: status === "failed" ? "card_declined" : null,
    failure_message: status === "failed" ? (spec.failureMessage ?? "Your card was declined.") : null,
    outcome: status === "failed" ? { type: "issuer_declined", reason: "insufficient_funds", seller_message: "declined" } : { type: "authorized", reason: null, seller_message: "Payment complete." },
    payment_method: "pm_planted_visa",
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030 } },
    refunds: { object: "list", data: [], has_more: false, url: "" },
    metadata: {},
  } as unknown as Stripe.Charge;
}

function stripePaymentIntent(spec: ChargeSpec, status: string): Stripe.PaymentIntent {
  return {
    id: `pi_${spec.intent ?? spec.id}`,
    object: "payment_intent",
    livemode: false,
    created: Math.floor(spec.created.getTime() / 1000),
    customer: `cus_${spec.customerId.slice(0, 8)}`,
    amount: spec.amount,
    amount_received: status === "succeeded" ? spec.amount : 0,
    currency: "usd",
    status,
    description: spec.description ?? "planted payment",
    latest_charge: `ch_${spec.id}`,
    payment_method: "pm_planted_visa",
    last_payment_error: null,
    canceled_at: null,
    cancellation_reason: null,
    metadata: {},
  } as unknown as Stripe.PaymentIntent;
}

/** charge.succeeded / charge.failed as apply-stripe-event books them: intent and charge mirrored, cash posted for a payment outside an invoice. */
async function receiveCharge(plant: Plant, spec: ChargeSpec, options: { invoiceId?: string; post?: boolean } = {}): Promise<Stripe.Charge> {
  const charge = stripeCharge(spec);
  const write = { customerId: spec.customerId, eventCreated: spec.created, now: spec.created };
  await upsertStripePaymentIntent(plant.db, stripePaymentIntent(spec, spec.status === "failed" ? "requires_payment_method" : "succeeded"), write);
  await upsertStripeCharge(plant.db, charge, write);
  if (options.invoiceId) {
    await upsertStripeInvoicePayment(
      plant.db,
      {
        id: `inpay_${spec.intent ?? spec.id}`,
        object: "invoice_payment",
        livemode: false,
        created: charge.created,
        invoice: options.invoiceId,
        payment: { type: "payment_intent", payment_intent: `pi_${spec.intent ?? spec.id}` },
        amount_requested: spec.amount,
        amount_paid: spec.status === "failed" ? null : spec.amount,
        currency: "usd",
        status: spec.status === "failed" ? "open" : "paid",
        is_default: true,
        status_transitions: { paid_at: spec.status === "failed" ? null : charge.created, canceled_at: null },
      } as unknown as Stripe.InvoicePayment,
      write,
    );
  } else if (options.post !== false) {
    await postChargePayment(plant.db, fixedClock(spec.created), charge, spec.customerId);
  }
  return charge;
}

/** charge.refunded: the refund mirrored and booked, the charge's refunded amount updated. */
async function refundCharge(plant: Plant, spec: ChargeSpec, at: Date): Promise<void> {
  const write = { customerId: spec.customerId, eventCreated: at, now: at };
  const refund = {
    id: `re_${spec.id}`,
    object: "refund",
    created: Math.floor(at.getTime() / 1000),
    charge: `ch_${spec.id}`,
    payment_intent: `pi_${spec.intent ?? spec.id}`,
    amount: spec.amount,
    currency: "usd",
    status: "succeeded",
    reason: "duplicate",
    failure_reason: null,
    description: null,
    metadata: {},
  } as unknown as Stripe.Refund;
  await upsertStripeRefund(plant.db, refund, write);
  await upsertStripeCharge(plant.db, stripeCharge({ ...spec, refunded: spec.amount }), write);
  await postRefund(plant.db, fixedClock(at), refund, spec.customerId);
}

function stripeInvoice(input: { id: string; customerId: string; created: Date; periodStart: Date; periodEnd: Date; total: number; status: "open" | "paid"; number: string }): Stripe.Invoice {
  const created = Math.floor(input.created.getTime() / 1000);
  return {
    id: input.id,
    object: "invoice",
    livemode: false,
    created,
    customer: `cus_${input.customerId.slice(0, 8)}`,
    number: input.number,
    status: input.status,
    billing_reason: "subscription_cycle",
    currency: "usd",
    total: input.total,
    amount_due: input.total,
    amount_paid: input.status === "paid" ? input.total : 0,
    amount_remaining: input.status === "paid" ? 0 : input.total,
    period_start: Math.floor(input.periodStart.getTime() / 1000),
    period_end: Math.floor(input.periodEnd.getTime() / 1000),
    hosted_invoice_url: `https://invoice.stripe.test/${input.id}`,
    status_transitions: { paid_at: input.status === "paid" ? created + 60 : null },
    parent: { type: "subscription_details", subscription_details: { subscription: `sub_${input.id.slice(3)}` } },
  } as unknown as Stripe.Invoice;
}

async function receiveInvoice(plant: Plant, invoice: Stripe.Invoice, customerId: string): Promise<void> {
  const at = new Date(invoice.created * 1000);
  await upsertStripeInvoice(plant.db, invoice, { customerId, eventCreated: at, now: at });
  await postInvoicePayment(plant.db, fixedClock(at), invoice, customerId);
}

// ---- duplicate_charge ---------------------------------------------------------------------------

async function plantDuplicateCharges(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const amount = random.int(5, 900) * 100 + random.int(0, 99);
  const firstAt = new Date(asOf.getTime() - random.int(3, 40) * dayMs - random.int(0, 23) * hourMs);
  const secondAt = new Date(firstAt.getTime() + random.int(1, 71 * 60) * 60_000);
  const twice = await newCustomer(plant, "charged_twice");
  const first: ChargeSpec = { id: `dup${plant.serial()}a`, customerId: twice, created: firstAt, amount };
  const second: ChargeSpec = { id: `dup${plant.serial()}b`, customerId: twice, created: secondAt, amount };
  await receiveCharge(plant, first);
  await receiveCharge(plant, second);
  plant.facts.push({
    kind: "duplicate_charge",
    label: "two succeeded charges of the same amount, neither refunded",
    customerId: twice,
    titleIncludes: ["Charged twice", money(cents(amount))],
    evidence: { reason: "same_amount", first: { chargeId: `ch_${first.id}` }, second: { chargeId: `ch_${second.id}` } },
    impactMicros: cents(amount),
    clear: () => refundCharge(plant, second, new Date(asOf.getTime() - hourMs)),
  });

  // Control: the same double charge, the second refunded at once.
  const refunded = await newCustomer(plant, "refunded_duplicate");
  const refundedFirst: ChargeSpec = { ...first, id: `dup${plant.serial()}c`, customerId: refunded };
  const refundedSecond: ChargeSpec = { ...second, id: `dup${plant.serial()}d`, customerId: refunded };
  await receiveCharge(plant, refundedFirst);
  await receiveCharge(plant, refundedSecond);
  await refundCharge(plant, refundedSecond, new Date(secondAt.getTime() + random.int(1, 48) * hourMs));
  plant.facts.push(control("a duplicate charge that was refunded", refunded));

  // Control: the same amount twice, each paying its own (monthly) invoice.
  const monthly = await newCustomer(plant, "two_invoices");
  for (const [index, at] of [firstAt, secondAt].entries()) {
    const invoiceId = `in_two${plant.serial()}`;
    const periodEnd = new Date(at.getTime() - index * 31 * dayMs);
    await receiveInvoice(plant, stripeInvoice({ id: invoiceId, customerId: monthly, created: at, periodStart: new Date(periodEnd.getTime() - 30 * dayMs), periodEnd, total: amount, status: "paid", number: `PL-${plant.serial()}` }), monthly);
    await receiveCharge(plant, { id: `two${plant.serial()}`, customerId: monthly, created: at, amount }, { invoiceId });
  }
  plant.facts.push(control("two charges of one amount for two different invoices", monthly));
}

async function plantInvoicePaidTwice(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const amount = random.int(20, 2_000) * 100;
  const customerId = await newCustomer(plant, "invoice_paid_twice");
  const created = new Date(asOf.getTime() - random.int(2, 50) * dayMs);
  const invoiceId = `in_twice${plant.serial()}`;
  await receiveInvoice(plant, stripeInvoice({ id: invoiceId, customerId, created, periodStart: new Date(created.getTime() - 30 * dayMs), periodEnd: created, total: amount, status: "paid", number: `PL-${plant.serial()}` }), customerId);
  const first: ChargeSpec = { id: `twice${plant.serial()}a`, customerId, created: new Date(created.getTime() + hourMs), amount };
  const second: ChargeSpec = { id: `twice${plant.serial()}b`, customerId, created: new Date(created.getTime() + hourMs + random.int(1, 600) * 60_000), amount };
  await receiveCharge(plant, first, { invoiceId });
  await receiveCharge(plant, second, { invoiceId });
  plant.facts.push({
    kind: "duplicate_charge",
    label: "one invoice paid by two charges",
    customerId,
    titleIncludes: [`Invoice ${invoiceId} paid twice`, money(cents(amount))],
    evidence: { reason: "invoice_paid_twice", first: { chargeId: `ch_${first.id}`, stripeInvoiceId: invoiceId }, second: { chargeId: `ch_${second.id}`, stripeInvoiceId: invoiceId } },
    impactMicros: cents(amount),
    clear: () => refundCharge(plant, second, new Date(asOf.getTime() - hourMs)),
  });
}

async function plantDuplicateInvoices(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const amount = random.int(30, 3_000) * 100 + random.int(1, 99);
  const periodEnd = new Date(Math.floor((asOf.getTime() - random.int(1, 20) * dayMs) / dayMs) * dayMs);
  const periodStart = new Date(periodEnd.getTime() - 30 * dayMs);
  const customerId = await newCustomer(plant, "two_invoices_same_period");
  const ids = [`in_same${plant.serial()}a`, `in_same${plant.serial()}b`];
  for (const [index, id] of ids.entries()) {
    await receiveInvoice(plant, stripeInvoice({ id, customerId, created: new Date(periodEnd.getTime() + (index + 1) * hourMs), periodStart, periodEnd, total: amount, status: "open", number: `PL-${id.slice(3)}` }), customerId);
  }
  plant.facts.push({
    kind: "duplicate_charge",
    label: "two Stripe invoices for the same period and amount",
    customerId,
    titleIncludes: ["Two Stripe invoices for the same period and amount", `PL-${ids[0]!.slice(3)}`, `PL-${ids[1]!.slice(3)}`, money(cents(amount))],
    evidence: { reason: "duplicate_invoice", first: { id: ids[0], periodStart: periodStart.toISOString() }, second: { id: ids[1], periodStart: periodStart.toISOString() } },
    impactMicros: cents(amount),
    clear: async () => {
      const at = new Date(asOf.getTime() - hourMs);
      const voided = { ...stripeInvoice({ id: ids[1]!, customerId, created: new Date(periodEnd.getTime() + 2 * hourMs), periodStart, periodEnd, total: amount, status: "open", number: `PL-${ids[1]!.slice(3)}` }), status: "void" } as Stripe.Invoice;
      await upsertStripeInvoice(plant.db, voided, { customerId, eventCreated: at, now: at });
    },
  });

  // Control: two invoices of one amount for two consecutive periods.
  const monthly = await newCustomer(plant, "two_periods");
  for (const offset of [0, 1]) {
    const end = new Date(periodEnd.getTime() - offset * 30 * dayMs);
    const id = `in_next${plant.serial()}`;
    await receiveInvoice(plant, stripeInvoice({ id, customerId: monthly, created: new Date(end.getTime() + hourMs), periodStart: new Date(end.getTime() - 30 * dayMs), periodEnd: end, total: amount, status: "open", number: `PL-${id.slice(3)}` }), monthly);
  }
  plant.facts.push(control("two invoices of one amount for consecutive periods", monthly));
}

// ---- payment_failure ----------------------------------------------------------------------------

async function plantPaymentFailures(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const amount = random.int(10, 5_000) * 100 + random.int(0, 99);
  const attempts = random.int(1, 4);
  const customerId = await newCustomer(plant, "payment_failed");
  const invoiceId = `in_fail${plant.serial()}`;
  const created = new Date(asOf.getTime() - random.int(1, 10) * dayMs - random.int(0, 23) * hourMs);
  const invoice = stripeInvoice({ id: invoiceId, customerId, created, periodStart: new Date(created.getTime() - 30 * dayMs), periodEnd: created, total: amount, status: "open", number: `PL-${invoiceId.slice(3)}` });
  await receiveInvoice(plant, invoice, customerId);
  const chargeIds: string[] = [];
  const intent = `fail${plant.serial()}`;
  let nextRetryAt: Date | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const failedAt = new Date(created.getTime() + attempt * 3 * hourMs);
    const spec: ChargeSpec = { id: `fail${plant.serial()}`, intent, customerId, created: failedAt, amount, status: "failed", failureMessage: "Your card has insufficient funds." };
    await receiveCharge(plant, spec, { invoiceId });
    chargeIds.push(`ch_${spec.id}`);
    nextRetryAt = attempt < 4 ? new Date(failedAt.getTime() + 3 * dayMs) : null;
    await recordPaymentFailureFacts(plant.db, fixedClock(failedAt), {
      customerId,
      stripeInvoiceId: invoiceId,
      stripeSubscriptionId: null,
      attempt,
      failedAt,
      invoiceStatus: "open",
      attemptCount: attempt,
      nextRetryAt,
      amountRemainingMicros: cents(amount),
      currency: "usd",
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    });
  }
  plant.facts.push({
    kind: "payment_failure",
    label: `an invoice in dunning after ${attempts} failed attempt(s)`,
    customerId,
    titleIncludes: [invoiceId, `failed ${attempts} time${attempts === 1 ? "" : "s"}`, money(cents(amount)), "insufficient funds", nextRetryAt ? "next retry" : "no retry scheduled"],
    evidence: { stripeInvoiceId: invoiceId, attemptCount: attempts, nextRetryAt: nextRetryAt?.toISOString() ?? null, attempts: chargeIds.map((chargeId) => ({ chargeId, failureMessage: "Your card has insufficient funds." })) },
    impactMicros: cents(amount),
    clear: async () => {
      // invoice.paid: the retry succeeded; the dunning case is settled as the webhook settles it.
      const paidAt = new Date(asOf.getTime() - hourMs);
      const paid = { ...invoice, status: "paid", amount_paid: amount, amount_remaining: 0, status_transitions: { paid_at: Math.floor(paidAt.getTime() / 1000) } } as Stripe.Invoice;
      await upsertStripeInvoice(plant.db, paid, { customerId, eventCreated: paidAt, now: paidAt });
      await receiveCharge(plant, { id: `paid${plant.serial()}`, intent, customerId, created: paidAt, amount }, { invoiceId });
      await postInvoicePayment(plant.db, fixedClock(paidAt), paid, customerId);
      const [dunningCase] = await plant.db.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, invoiceId));
      await settleCase(plant.db, fixedClock(paidAt), dunningCase!, "paid", cents(amount));
    },
  });

  // Control: a payment that failed once and was then paid on the hosted invoice page (another payment intent; the case recovered).
  const recovered = await newCustomer(plant, "payment_recovered");
  const recoveredInvoiceId = `in_rec${plant.serial()}`;
  const recoveredInvoice = stripeInvoice({ id: recoveredInvoiceId, customerId: recovered, created, periodStart: new Date(created.getTime() - 30 * dayMs), periodEnd: created, total: amount, status: "open", number: `PL-${recoveredInvoiceId.slice(3)}` });
  await receiveInvoice(plant, recoveredInvoice, recovered);
  const failedAt = new Date(created.getTime() + hourMs);
  await receiveCharge(plant, { id: `rec${plant.serial()}`, customerId: recovered, created: failedAt, amount, status: "failed" }, { invoiceId: recoveredInvoiceId });
  await recordPaymentFailureFacts(plant.db, fixedClock(failedAt), {
    customerId: recovered,
    stripeInvoiceId: recoveredInvoiceId,
    stripeSubscriptionId: null,
    attempt: 1,
    failedAt,
    invoiceStatus: "open",
    attemptCount: 1,
    nextRetryAt: new Date(failedAt.getTime() + dayMs),
    amountRemainingMicros: cents(amount),
    currency: "usd",
    hostedInvoiceUrl: null,
  });
  const paidAt = new Date(failedAt.getTime() + dayMs);
  const paid = { ...recoveredInvoice, status: "paid", amount_paid: amount, amount_remaining: 0 } as Stripe.Invoice;
  await upsertStripeInvoice(plant.db, paid, { customerId: recovered, eventCreated: paidAt, now: paidAt });
  await receiveCharge(plant, { id: `rec${plant.serial()}`, customerId: recovered, created: paidAt, amount }, { invoiceId: recoveredInvoiceId });
  await postInvoicePayment(plant.db, fixedClock(paidAt), paid, recovered);
  const [recoveredCase] = await plant.db.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, recoveredInvoiceId));
  await settleCase(plant.db, fixedClock(paidAt), recoveredCase!, "paid", cents(amount));
  plant.facts.push(control("a failed payment recovered on retry", recovered));
}

// ---- credit_burn --------------------------------------------------------------------------------

async function grant(plant: Plant, customerId: string, input: { amountMicros: bigint; effectiveAt: Date; expiresAt: Date | null; category?: "promotional" | "goodwill" }) {
  const result = await issueGrant(plant.db, actor, fixedClock(input.effectiveAt), {
    customerId,
    amountMicros: input.amountMicros,
    category: input.category ?? "promotional",
    effectiveAt: input.effectiveAt,
    expiresAt: input.expiresAt,
    source: "promotion",
    reason: "planted fact",
    idempotencyKey: `planted-grant-${plant.serial()}`,
  });
  return result.grant;
}

async function burn(plant: Plant, customerId: string, amountMicros: bigint, at: Date) {
  return burnGrants(plant.db, { customerId, currency: "usd", amountMicros, at, idempotencyKey: `planted-burn-${plant.serial()}`, actor }, { clock: fixedClock(at) });
}

/** Burns every 5 days for 90 days: `perBurn` before the last 30 days, `perBurn × factor` in them. */
async function burnHistory(plant: Plant, customerId: string, perBurnMicros: bigint, factorMilli: bigint): Promise<{ recentMicros: bigint; baselineMicros: bigint }> {
  const totals = { recentMicros: 0n, baselineMicros: 0n };
  for (let daysAgo = 88; daysAgo >= 1; daysAgo -= 5) {
    const amount = daysAgo < 30 ? (perBurnMicros * factorMilli) / 1000n : perBurnMicros;
    const result = await burn(plant, customerId, amount, new Date(plant.asOf.getTime() - daysAgo * dayMs - plant.random.int(0, 12) * hourMs));
    if (result.coveredMicros !== amount) throw new Error("plant-facts: a planted burn was not covered by credits");
    if (daysAgo < 30) totals.recentMicros += amount;
    else totals.baselineMicros += amount;
  }
  return totals;
}

async function plantCreditBurn(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const perBurn = BigInt(random.int(60, 400)) * 1_000_000n;
  const factorMilli = BigInt(random.int(4_000, 9_000));
  const fast = await newCustomer(plant, "credits_burning_fast");
  await grant(plant, fast, { amountMicros: perBurn * 200n, effectiveAt: new Date(asOf.getTime() - 100 * dayMs), expiresAt: null });
  const burned = await burnHistory(plant, fast, perBurn, factorMilli);
  const recentDaily = burned.recentMicros / 30n;
  const baselineDaily = burned.baselineMicros / 60n;
  plant.facts.push({
    kind: "credit_burn",
    label: "credits burning several times faster than the customer's baseline",
    customerId: fast,
    titleIncludes: [`Credits burning at ${money(recentDaily)}/day`, `× the usual ${money(baselineDaily)}/day`, "gone in ~"],
    evidence: {
      reason: "burn_rate",
      recentDays: 30,
      baselineDays: 60,
      recentMicros: burned.recentMicros.toString(),
      baselineMicros: burned.baselineMicros.toString(),
      remainingMicros: (perBurn * 200n - burned.recentMicros - burned.baselineMicros).toString(),
      grants: [{ amountMicros: (perBurn * 200n).toString() }],
    },
    impactMicros: (recentDaily - baselineDaily) * 30n,
  });

  // Control: the usual pace (within ±20% of the baseline).
  const usual = await newCustomer(plant, "credits_usual_pace");
  await grant(plant, usual, { amountMicros: perBurn * 200n, effectiveAt: new Date(asOf.getTime() - 100 * dayMs), expiresAt: null });
  await burnHistory(plant, usual, perBurn, BigInt(random.int(800, 1_200)));
  plant.facts.push(control("credits burning at the usual pace", usual));
}

async function plantExpiringGrants(plant: Plant): Promise<void> {
  const { random, asOf } = plant;
  const amount = BigInt(random.int(80, 2_000)) * 1_000_000n;
  const used = (amount * BigInt(random.int(0, 30))) / 100n;
  const expiresAt = new Date(asOf.getTime() + random.int(1, 6) * dayMs + random.int(1, 23) * hourMs);
  const customerId = await newCustomer(plant, "grant_expiring_unused");
  const expiring = await grant(plant, customerId, { amountMicros: amount, effectiveAt: new Date(asOf.getTime() - 20 * dayMs), expiresAt, category: "goodwill" });
  if (used > 0n) await burn(plant, customerId, used, new Date(asOf.getTime() - 5 * dayMs));
  plant.facts.push({
    kind: "credit_burn",
    label: "a large grant about to expire unused",
    customerId,
    titleIncludes: [money(amount - used), `goodwill credit (${money(amount)})`, expiresAt.toISOString().slice(0, 10)],
    evidence: { reason: "expiring_unused", grant: { grantId: expiring.id, remainingMicros: (amount - used).toString(), expiresAt: expiresAt.toISOString() } },
    impactMicros: amount - used,
    // The customer uses it after all.
    clear: async () => void (await burn(plant, customerId, amount - used, new Date(asOf.getTime() - hourMs))),
  });

  // Controls: a small grant expiring unused, and a large one expiring beyond the horizon.
  const small = await newCustomer(plant, "small_grant_expiring");
  await grant(plant, small, { amountMicros: BigInt(random.int(1, 49)) * 1_000_000n, effectiveAt: new Date(asOf.getTime() - 20 * dayMs), expiresAt });
  plant.facts.push(control("a small grant expiring unused", small));
  const later = await newCustomer(plant, "grant_expiring_later");
  await grant(plant, later, { amountMicros: amount, effectiveAt: new Date(asOf.getTime() - 20 * dayMs), expiresAt: new Date(asOf.getTime() + random.int(9, 60) * dayMs) });
  plant.facts.push(control("a large grant expiring after the horizon", later));
}

// ---- invoice_jump -------------------------------------------------------------------------------

async function publishedPlan(db: Db, key: string): Promise<string> {
  const [version] = await db.select({ id: planVersions.id }).from(planVersions).innerJoin(plans, eq(plans.id, planVersions.planId)).where(and(eq(plans.key, key), eq(planVersions.status, "published"))).orderBy(planVersions.version).limit(1);
  if (!version) throw new Error(`plant-facts: plan ${key} has no published version (seed the catalog first)`);
  return version.id;
}

/** Two period closes of a subscription anchored two months before `asOf`, with `between` applied in the second period. */
async function twoPeriods(plant: Plant, customerId: string, input: { planKey: string; seats: number; between?: (at: Date) => Promise<void> }): Promise<void> {
  const anchor = new Date(plant.asOf.getTime() - 3 * hourMs);
  anchor.setUTCMonth(anchor.getUTCMonth() - 2);
  const planVersionId = await publishedPlan(plant.db, input.planKey);
  const [subscription] = await plant.db.insert(subscriptions).values({ customerId, planVersionId, status: "active", seats: input.seats, billingAnchor: anchor, createdAt: anchor }).returning({ id: subscriptions.id });
  const firstEnd = new Date(anchor);
  firstEnd.setUTCMonth(firstEnd.getUTCMonth() + 1);
  const firstClose = fixedClock(new Date(firstEnd.getTime() + hourMs));
  await closeSubscriptionPeriod(plant.db, { subscriptionId: subscription!.id, until: firstClose.now() }, { clock: firstClose, actor });
  if (input.between) await input.between(new Date(firstEnd.getTime() + plant.random.int(2, 20) * dayMs));
  await closeSubscriptionPeriod(plant.db, { subscriptionId: subscription!.id, until: plant.asOf }, { clock: fixedClock(plant.asOf), actor });
}

async function plantInvoiceJumps(plant: Plant): Promise<void> {
  const { random } = plant;
  const seats = random.int(2, 6);
  const upgradedSeats = seats * random.int(2, 4);
  const upgraded = await newCustomer(plant, "invoice_jump");
  const teamVersionId = await publishedPlan(plant.db, "team");
  await twoPeriods(plant, upgraded, {
    planKey: "pro",
    seats,
    between: async (at) => {
      await changeSubscription(plant.db, null, actor, fixedClock(at), { action: "change", customerId: upgraded, planVersionId: teamVersionId, seats: upgradedSeats, timing: "now", reason: "planted: upgraded to Team" });
    },
  });
  const bills = await plant.db
    .select({ id: invoices.id, totalMicros: invoices.totalMicros, periodStart: invoices.periodStart })
    .from(invoices)
    .where(and(eq(invoices.customerId, upgraded), inArray(invoices.kind, ["period", "threshold"]), notInArray(invoices.status, ["draft", "void"])))
    .orderBy(invoices.periodStart)
    .limit(10);
  if (bills.length !== 2) throw new Error(`plant-facts: expected two period invoices, found ${bills.length}`);
  const [previous, current] = [bills[0]!, bills[1]!];
  plant.facts.push({
    kind: "invoice_jump",
    label: "an upgrade (more seats on a dearer plan) that raises the period invoice",
    customerId: upgraded,
    titleIncludes: ["Invoice up", money(previous.totalMicros), money(current.totalMicros), "→ Team"],
    evidence: {
      previous: { invoiceIds: [previous.id], totalMicros: previous.totalMicros.toString() },
      current: { invoiceIds: [current.id], totalMicros: current.totalMicros.toString() },
      planChanges: [{ fromSeats: seats, toSeats: upgradedSeats }],
      attribution: { deltaMicros: (current.totalMicros - previous.totalMicros).toString() },
    },
    impactMicros: current.totalMicros - previous.totalMicros,
  });

  // Controls: the same plan twice, and one seat more on a large team (below the thresholds).
  const steady = await newCustomer(plant, "invoice_steady");
  await twoPeriods(plant, steady, { planKey: "team", seats });
  plant.facts.push(control("two equal period invoices", steady));
  const oneMore = await newCustomer(plant, "invoice_one_seat_more");
  const large = random.int(10, 20);
  await twoPeriods(plant, oneMore, {
    planKey: "team",
    seats: large,
    between: async (at) => {
      await changeSubscription(plant.db, null, actor, fixedClock(at), { action: "change", customerId: oneMore, seats: large + 1, timing: "now", reason: "planted: one more seat" });
    },
  });
  plant.facts.push(control("one seat more on a large team", oneMore));
}

// ---- spend_limit --------------------------------------------------------------------------------

async function plantRefusals(plant: Plant, count: number): Promise<void> {
  const { db, random, asOf } = plant;
  const catalog = await createEntitlementCatalog(db, `pl${plant.serial()}`);
  const { featureKeys: f, meterKeys: m } = catalog;
  const blocked = await catalog.publish([{ featureKey: f.requests, kind: "metered", meterKey: m.requests, allowancePerPeriod: "0", overage: "block" }]);
  const billed = await catalog.publish(
    [{ featureKey: f.tokens, kind: "metered", meterKey: m.tokens, allowancePerPeriod: null, overage: "bill" }],
    [{ meterKey: m.tokens, price: { model: "per_unit", unitPrice: "0.001", includedQuantity: "0" } }],
  );
  const refuse = async (externalId: string, feature: string, times: number) => {
    for (let index = 0; index < times; index++) {
      // Within asOf's UTC day: refusals are counted per day.
      const at = new Date(asOf.getTime() - random.int(0, Math.min(3 * 60, Math.floor((asOf.getTime() % dayMs) / 60_000))) * 60_000);
      const decision = await checkEntitlement(db, { customer: externalId, feature, quantity: String(random.int(1, 50)) }, { clock: fixedClock(at) });
      if (decision.allowed) throw new Error(`plant-facts: a check of ${feature} was allowed`);
    }
  };
  for (let index = 0; index < count; index++) {
    const refusals = random.int(20, 60);
    const hitting = await createSubscribedCustomer(db, { planVersionId: blocked.id, anchor: new Date(asOf.getTime() - 10 * dayMs) });
    await refuse(hitting.externalId, f.requests, refusals);
    plant.facts.push({
      kind: "spend_limit",
      label: "a hard allowance refused repeatedly",
      customerId: hitting.id,
      titleIncludes: [`${refusals} checks of ${f.requests} refused`, "an exhausted allowance"],
      evidence: { reason: "allowance_refusals", refusedChecks: [{ featureKey: f.requests, reason: "allowance_exhausted", count: refusals }] },
      impactMicros: null,
    });
    const limited = await createSubscribedCustomer(db, { planVersionId: billed.id, anchor: new Date(asOf.getTime() - 10 * dayMs), spendLimitMicros: 0n });
    const limitedRefusals = random.int(20, 60);
    await refuse(limited.externalId, f.tokens, limitedRefusals);
    plant.facts.push({
      kind: "spend_limit",
      label: "checks refused past the spend limit",
      customerId: limited.id,
      titleIncludes: ["spend limit", `${limitedRefusals} checks`],
      evidence: {},
      impactMicros: null,
    });
    // Usage past a spend limit of a few dollars ($0.001 a token), then checks refused: the 100% warning and the refusals are one story.
    const limitMicros = BigInt(random.int(1, 5)) * 1_000_000n;
    const spender = await createSubscribedCustomer(db, { planVersionId: billed.id, anchor: new Date(asOf.getTime() - 10 * dayMs), spendLimitMicros: limitMicros });
    const tokens = Number(limitMicros / 1_000n) + random.int(0, 500);
    const usedAt = new Date(asOf.getTime() - random.int(2, 30) * hourMs);
    await ingestEvents(db, [cloudEvent({ type: `llm.${tokensSuffix(m.tokens)}`, subject: spender.externalId, time: usedAt.toISOString(), data: { tokens, model: "large" } })], { clock: fixedClock(usedAt) });
    await rollUpAll(db, { timeoutMs: 60_000 });
    const spenderRefusals = random.int(20, 60);
    await refuse(spender.externalId, f.tokens, spenderRefusals);
    plant.facts.push({
      kind: "spend_limit",
      label: "usage past the spend limit, then checks refused",
      customerId: spender.id,
      titleIncludes: [`Reached the spend limit of ${money(limitMicros)}`, `${spenderRefusals} checks refused since`],
      evidence: { reason: "spend_limit_crossed", limitMicros: limitMicros.toString(), usedMicros: (BigInt(tokens) * 1_000n).toString(), refusedChecks: [{ featureKey: f.tokens, reason: "spend_limit_reached", count: spenderRefusals }] },
      impactMicros: null,
    });
    const once = await createSubscribedCustomer(db, { planVersionId: blocked.id, anchor: new Date(asOf.getTime() - 10 * dayMs) });
    await refuse(once.externalId, f.requests, 1);
    plant.facts.push(control("a single refused check", once.id));
  }
  await flushDenialCounts(db);
}

// ---- reconciliation -----------------------------------------------------------------------------

/**
 * Every reconciliation kind but the receivable one: the planted Stripe invoices have no Tally
 * invoice behind them (mirror only), so every customer paid through one would rightly show a
 * receivable with no open invoice.
 */
const reconciledKinds = discrepancyKinds.filter((kind) => kind !== "receivable_open_invoices");

async function plantReconciliation(plant: Plant, count: number): Promise<void> {
  const { random, asOf } = plant;
  const pending: { customerId: string; charge: Stripe.Charge }[] = [];
  for (let index = 0; index < count; index++) {
    const amount = random.int(10, 3_000) * 100 + random.int(0, 99);
    const created = new Date(asOf.getTime() - random.int(1, 30) * dayMs);
    const customerId = await newCustomer(plant, "cash_not_booked");
    // charge.succeeded mirrored, but its cash posting never ran (a webhook lost halfway).
    const spec: ChargeSpec = { id: `lost${plant.serial()}`, customerId, created, amount, description: "credit top-up" };
    const charge = await receiveCharge(plant, spec, { post: false });
    pending.push({ customerId, charge });
    plant.facts.push({
      kind: "reconciliation",
      label: "a Stripe payment whose cash the ledger never booked",
      customerId,
      titleIncludes: ["Stripe payments and refunds ↔ ledger cash", money(cents(amount)), `ch_${spec.id}`],
      evidence: { source: "reconciliation", discrepancyKind: "stripe_cash", objects: { stripeObjectId: `ch_${spec.id}`, stripeObjectType: "charge" }, expected: cents(amount).toString(), actual: "0" },
      impactMicros: -cents(amount),
      clear: async () => {
        await postChargePayment(plant.db, fixedClock(created), charge, customerId);
        await reconcile(plant.db, fixedClock(asOf), { kinds: reconciledKinds });
      },
    });
    const booked = await newCustomer(plant, "cash_booked");
    await receiveCharge(plant, { ...spec, id: `booked${plant.serial()}`, customerId: booked });
    plant.facts.push(control("a Stripe payment booked as cash", booked));
  }
  await reconcile(plant.db, fixedClock(asOf), { kinds: reconciledKinds });
}

/** The event type's suffix of an entitlement catalog's tokens meter (`tokens_<suffix>` counts `llm.<suffix>`). */
function tokensSuffix(meterKey: string): string {
  return meterKey.slice("tokens_".length);
}

function control(label: string, customerId: string): PlantedFact {
  return { kind: null, label, customerId, titleIncludes: [], evidence: {}, impactMicros: null };
}

/** An amount as the detectors print it. */
function money(micros: bigint): string {
  return formatMoney(micros, "usd", { signed: false });
}
