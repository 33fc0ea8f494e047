import type Stripe from "stripe";
import type { Db } from "@/db/client";
import type { PlanVersion, Plan } from "@/db/schema";
import { getPlanVersion } from "@/server/catalog/get-plan-version";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { microsToStripeMinor, stripeMinorToMicros } from "@/server/stripe/money";
import { syncPlanVersion } from "@/server/stripe/sync-plan-version";
import type { BillingPeriod } from "./billing-period";
import { getLiveSubscription, type SubscriptionView } from "./get-subscription";

export type ChangeTiming = "now" | "period_end";
export type SubscriptionChangeRequest = {
  customerId: string;
  /** Defaults to the current version. */
  planVersionId?: string;
  /** Defaults to the current seats. */
  seats?: number;
  /** Default policy: upgrades now, downgrades (and equal-price changes) at period end. */
  timing?: ChangeTiming;
};

export type ProrationLine = {
  kind: "credit" | "debit";
  description: string;
  planVersionId: string;
  quantity: number;
  /** The Stripe price's unit amount, minor units. */
  unitAmountMinor: bigint;
  /** Signed, minor units (negative = credit). */
  amountMinor: bigint;
  /** The same amount in micro-units (exactly amountMinor × 10^(6 − decimals)). */
  amountMicros: bigint;
};

export type SubscriptionChangePreview = {
  subscriptionId: string;
  currency: string;
  from: { planVersionId: string; planKey: string; planName: string; version: number; seats: number; perPeriodMicros: bigint };
  to: { planVersionId: string; planKey: string; planName: string; version: number; seats: number; perPeriodMicros: bigint };
  direction: "upgrade" | "downgrade" | "same_price";
  timing: ChangeTiming;
  /** The default policy's timing for this direction (the operator may choose otherwise). */
  defaultTiming: ChangeTiming;
  effectiveAt: Date;
  period: BillingPeriod;
  remainingSeconds: number;
  periodSeconds: number;
  /** Tally's own proration lines (empty for a period-end change or during a trial). */
  lines: ProrationLine[];
  totalMinor: bigint;
  totalMicros: bigint;
  /** Stripe's `invoices.createPreview` for the same change, when the subscription is synced. */
  stripe: { prorationAmountsMinor: bigint[]; totalProrationMinor: bigint; agrees: boolean } | null;
};

/** Stripe's proration of one line: unit × quantity × remaining / period, rounded once to the minor unit, half away from zero. */
export function prorateMinor(unitAmountMinor: bigint, quantity: number, remainingSeconds: number, periodSeconds: number): bigint {
  if (periodSeconds <= 0) throw new Error("period must be positive");
  const numerator = unitAmountMinor * BigInt(quantity) * BigInt(remainingSeconds);
  const denominator = BigInt(periodSeconds);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = magnitude / denominator;
  const rounded = (magnitude % denominator) * 2n >= denominator ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

type Version = PlanVersion & { plan: Plan };

/** Loads and validates the change; shared by preview and change. */
export async function resolveChange(db: Db, clock: Clock, request: SubscriptionChangeRequest) {
  const now = clock.now();
  const live = await getLiveSubscription(db, request.customerId, now);
  if (!live) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription to change.");
  const fromVersion: Version = { ...live.planVersion, plan: live.plan };
  const toVersion: Version = request.planVersionId && request.planVersionId !== live.planVersion.id ? await getPlanVersion(db, request.planVersionId) : fromVersion;
  const seats = request.seats ?? live.subscription.seats;
  if (!Number.isInteger(seats) || seats < 1 || seats > 100_000) throw new DomainError("invalid", "invalid_seats", "Seats must be a whole number from 1 to 100,000.");
  if (toVersion.id !== fromVersion.id) {
    if (toVersion.status !== "published") throw new DomainError("precondition", "plan_version_not_published", `Version ${toVersion.version} of ${toVersion.plan.name} is ${toVersion.status}; change to a published version.`);
    if (toVersion.currency !== fromVersion.currency) throw new DomainError("invalid", "currency_mismatch", "The new plan is priced in another currency.");
    if (toVersion.billingInterval !== fromVersion.billingInterval) throw new DomainError("invalid", "interval_change_unsupported", "Changing between monthly and yearly plans is not supported; cancel at period end and subscribe anew.");
  }
  if (toVersion.id === fromVersion.id && seats === live.subscription.seats) throw new DomainError("invalid", "no_change", "That is the current plan and seat count.");
  return { live, fromVersion, toVersion, seats, now };
}

/**
 * Tally's calculation of a change (and, when synced and `stripe` given, Stripe's preview of the
 * same change with the same proration date, compared line by line to the minor unit).
 */
export async function previewSubscriptionChange(db: Db, stripe: Stripe | null, clock: Clock, request: SubscriptionChangeRequest): Promise<SubscriptionChangePreview> {
  const resolved = await resolveChange(db, clock, request);
  const preview = computeChange(resolved.live, resolved.fromVersion, resolved.toVersion, resolved.seats, resolved.now, request.timing);
  if (stripe === null || resolved.live.subscription.stripeSubscriptionId === null || preview.timing !== "now" || preview.lines.length === 0) return preview;
  return { ...preview, stripe: await stripePreview(db, stripe, resolved.live, resolved.toVersion, resolved.seats, resolved.now, preview.lines) };
}

export function computeChange(live: SubscriptionView, fromVersion: Version, toVersion: Version, seats: number, now: Date, timing: ChangeTiming | undefined): SubscriptionChangePreview {
  const currency = fromVersion.currency;
  const fromPerPeriod = fromVersion.baseFeePerSeatMicros * BigInt(live.subscription.seats);
  const toPerPeriod = toVersion.baseFeePerSeatMicros * BigInt(seats);
  const direction = toPerPeriod > fromPerPeriod ? "upgrade" : toPerPeriod < fromPerPeriod ? "downgrade" : "same_price";
  const defaultTiming: ChangeTiming = direction === "upgrade" ? "now" : "period_end";
  const chosen = timing ?? defaultTiming;
  const period = live.currentPeriod;
  const periodSeconds = Math.round((period.end.getTime() - period.start.getTime()) / 1000);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const remainingSeconds = Math.max(0, Math.round(period.end.getTime() / 1000) - nowSeconds);
  // The trial end decides (the status follows it at the next hourly close, as in Stripe).
  const inTrial = live.subscription.trialEnd !== null && live.subscription.trialEnd.getTime() > now.getTime();
  const lines: ProrationLine[] = [];
  if (chosen === "now" && !inTrial && remainingSeconds > 0) {
    const line = (kind: "credit" | "debit", version: Version, quantity: number): ProrationLine => {
      const unit = microsToStripeMinor(version.baseFeePerSeatMicros, currency);
      const magnitude = prorateMinor(unit, quantity, remainingSeconds, periodSeconds);
      const amountMinor = kind === "credit" ? -magnitude : magnitude;
      return {
        kind,
        description: `${kind === "credit" ? "Unused time on" : "Remaining time on"} ${quantity} × ${version.plan.name} v${version.version} after ${now.toISOString()}`,
        planVersionId: version.id,
        quantity,
        unitAmountMinor: unit,
        amountMinor,
        amountMicros: stripeMinorToMicros(amountMinor, currency),
      };
    };
    const credit = line("credit", fromVersion, live.subscription.seats);
    const debit = line("debit", toVersion, seats);
    if (credit.amountMinor !== 0n) lines.push(credit);
    if (debit.amountMinor !== 0n) lines.push(debit);
  }
  const totalMinor = lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  const describe = (version: Version, count: number, perPeriodMicros: bigint) => ({ planVersionId: version.id, planKey: version.plan.key, planName: version.plan.name, version: version.version, seats: count, perPeriodMicros });
  return {
    subscriptionId: live.subscription.id,
    currency,
    from: describe(fromVersion, live.subscription.seats, fromPerPeriod),
    to: describe(toVersion, seats, toPerPeriod),
    direction,
    timing: chosen,
    defaultTiming,
    effectiveAt: chosen === "now" ? now : period.end,
    period,
    remainingSeconds,
    periodSeconds,
    lines,
    totalMinor,
    totalMicros: stripeMinorToMicros(totalMinor, currency),
    stripe: null,
  };
}

async function stripePreview(db: Db, stripe: Stripe, live: SubscriptionView, toVersion: Version, seats: number, now: Date, lines: ProrationLine[]) {
  const current = await stripe.subscriptions.retrieve(live.subscription.stripeSubscriptionId!);
  const item = current.items.data[0];
  if (!item) throw new DomainError("precondition", "stripe_subscription_empty", "The Stripe subscription has no item to change; sync it first.");
  const { stripePriceId } = await syncPlanVersion(db, stripe, { planVersionId: toVersion.id });
  const customer = typeof current.customer === "string" ? current.customer : current.customer.id;
  const invoice = await stripe.invoices.createPreview({
    customer,
    subscription: current.id,
    subscription_details: { items: [{ id: item.id, price: stripePriceId, quantity: seats }], proration_date: Math.floor(now.getTime() / 1000), proration_behavior: "always_invoice" },
  });
  const prorations = invoice.lines.data.filter((line) => line.parent?.invoice_item_details?.proration || line.parent?.subscription_item_details?.proration);
  const amounts = prorations.map((line) => BigInt(line.amount));
  const sorted = (values: bigint[]) => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ours = sorted(lines.map((line) => line.amountMinor));
  const theirs = sorted(amounts);
  return {
    prorationAmountsMinor: amounts,
    totalProrationMinor: amounts.reduce((sum, amount) => sum + amount, 0n),
    agrees: ours.length === theirs.length && ours.every((amount, index) => amount === theirs[index]),
  };
}
