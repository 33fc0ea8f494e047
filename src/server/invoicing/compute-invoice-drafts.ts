import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { allowanceGrants, billedUsage, customerDiscounts, customers, invoices, subscriptionScheduledChanges, subscriptions, type InvoiceKind, type Subscription } from "@/db/schema";
import { addIntervals, periodContaining } from "@/server/customers/billing-period";
import { Decimal } from "@/server/pricing/decimal";
import { loadBillingTerms, type BillingTerms } from "./billing-terms";
import { buildInvoiceDraft, type ApplicableDiscount, type BuildInvoiceInput, type InvoiceDraft, type MeterUsageRating, type Period } from "./build-invoice";
import { rateUsageGroups, type BilledGroup, type RatedUsageGroup } from "./rate-usage-groups";
import { readUsageGroups, usageTargetsPerQueryMax, type UsageTarget } from "./read-usage-groups";

const hourMs = 3_600_000;
/** Metering accepts events up to 35 days late: earlier closed periods ending within this are re-checked for late usage. */
export const lateUsageLookbackMs = 36 * 24 * hourMs;

export type CloseKind = Extract<InvoiceKind, "period" | "threshold">;

/** One invoice to compute: a subscription's billing period, at its end (`period`) or mid-period (`threshold`). */
export type CloseRequest = {
  subscriptionId: string;
  kind: CloseKind;
  /** One of the subscription's billing periods, [start, end). */
  period: Period;
  /** `threshold` and previews: usage up to this time (rounded down to a whole rollup hour). */
  cutoff?: Date;
};

export type SkipStatus = "subscription_not_found" | "invalid_period" | "exists";

export type ComputedInvoice = {
  request: CloseRequest;
  subscription: Subscription;
  customerExternalId: string;
  terms: BillingTerms;
  sequence: number;
  /** The usage window actually read (whole hours). */
  usageWindow: Period;
  draft: InvoiceDraft;
  /** billed_usage rows to write: the period's (and late periods') groups after this invoice. */
  billed: Array<{ period: Period; meterKey: string; group: RatedUsageGroup }>;
  discounts: ApplicableDiscount[];
};

export type ComputeResult = { request: CloseRequest; status: SkipStatus; invoiceId?: string } | { request: CloseRequest; status: "computed"; invoice: ComputedInvoice };

type PlannedWindow = { period: Period; window: Period; late: boolean };
type Planned = {
  request: CloseRequest;
  subscription: Subscription;
  externalId: string;
  terms: BillingTerms;
  sequence: number;
  windows: PlannedWindow[];
  baseFee: BaseFee | null;
};
type BaseFee = NonNullable<BuildInvoiceInput["baseFee"]>;
type PendingChange = { toPlanVersionId: string; toSeats: number; effectiveAt: Date };

/**
 * Reads everything a batch of invoices needs (subscriptions — locked `for update` when `lock`,
 * so concurrent closes of the same subscription queue — plan terms, existing invoices, what was
 * billed, promotions) and computes each invoice's lines. Pure from here on: persisting is the
 * caller's (closePeriods), previews stop here.
 */
export type ComputeInvoiceDraftsOptions = {
  lock: boolean;
  now: Date;
  /**
   * Simulation (simulatePlanVersion): rate each period as a first invoice under this plan version
   * instead of the subscription's own — whether or not the period was already invoiced, with
   * nothing billed before, no late usage and no scheduled change. Never persisted.
   */
  rateWith?: string;
};

export async function computeInvoiceDrafts(db: Db, requests: readonly CloseRequest[], options: ComputeInvoiceDraftsOptions): Promise<ComputeResult[]> {
  const subscriptionIds = [...new Set(requests.map((request) => request.subscriptionId))].sort();
  if (subscriptionIds.length !== requests.length) throw new RangeError("computeInvoiceDrafts: one request per subscription per batch");
  const query = db.select().from(subscriptions).where(inArray(subscriptions.id, subscriptionIds)).orderBy(subscriptions.id);
  const subscriptionRows = options.lock ? await query.for("update") : await query;
  const subscriptionById = new Map(subscriptionRows.map((row) => [row.id, row]));
  const customerIds = [...new Set(subscriptionRows.map((row) => row.customerId))];
  const customerRows = customerIds.length === 0 ? [] : await db.select({ id: customers.id, externalId: customers.externalId }).from(customers).where(inArray(customers.id, customerIds));
  const externalIdByCustomer = new Map(customerRows.map((row) => [row.id, row.externalId]));
  // A plan change scheduled for a period's end sets the next period's base fee (billed in advance by that period's invoice).
  const pendingChanges = subscriptionIds.length === 0 || !requests.some((request) => request.kind === "period") ? [] : await db
    .select({ subscriptionId: subscriptionScheduledChanges.subscriptionId, toPlanVersionId: subscriptionScheduledChanges.toPlanVersionId, toSeats: subscriptionScheduledChanges.toSeats, effectiveAt: subscriptionScheduledChanges.effectiveAt })
    .from(subscriptionScheduledChanges)
    .where(and(inArray(subscriptionScheduledChanges.subscriptionId, subscriptionIds), eq(subscriptionScheduledChanges.status, "scheduled")));
  const termsByVersion = await loadBillingTerms(db, [
    ...subscriptionRows.map((row) => row.planVersionId),
    ...pendingChanges.map((row) => row.toPlanVersionId),
    ...(options.rateWith ? [options.rateWith] : []),
  ]);
  const simulated = options.rateWith ? termsByVersion.get(options.rateWith) : undefined;
  const earliest = new Date(Math.min(...requests.map((request) => request.period.start.getTime())) - lateUsageLookbackMs);
  const existing = subscriptionIds.length === 0 ? [] : await db
    .select({ id: invoices.id, subscriptionId: invoices.subscriptionId, kind: invoices.kind, sequence: invoices.sequence, periodStart: invoices.periodStart, periodEnd: invoices.periodEnd })
    .from(invoices)
    .where(and(inArray(invoices.subscriptionId, subscriptionIds), gt(invoices.periodEnd, earliest)));

  const results: ComputeResult[] = [];
  const planned: Planned[] = [];
  for (const request of requests) {
    const subscription = subscriptionById.get(request.subscriptionId);
    const own = subscription && termsByVersion.get(subscription.planVersionId);
    const terms = options.rateWith ? simulated : own;
    if (!subscription || !own || !terms) {
      results.push({ request, status: "subscription_not_found" });
      continue;
    }
    const actual = periodContaining(subscription.billingAnchor, own.interval, request.period.start);
    if (actual.start.getTime() !== request.period.start.getTime() || actual.end.getTime() !== request.period.end.getTime() || terms.interval !== own.interval) {
      results.push({ request, status: "invalid_period" });
      continue;
    }
    const mine = options.rateWith ? [] : existing.filter((invoice) => invoice.subscriptionId === subscription.id);
    const periodInvoice = mine.find((invoice) => invoice.kind === "period" && invoice.periodStart.getTime() === request.period.start.getTime());
    if (periodInvoice) {
      results.push({ request, status: "exists", invoiceId: periodInvoice.id });
      continue;
    }
    const sequence =
      request.kind === "period"
        ? 0
        : 1 + Math.max(0, ...mine.filter((invoice) => invoice.kind === "threshold" && invoice.periodStart.getTime() === request.period.start.getTime()).map((invoice) => invoice.sequence));
    const windows: PlannedWindow[] = [{ period: request.period, window: usageWindow(subscription, request.period, request.kind === "period" ? request.period.end : (request.cutoff ?? options.now)), late: false }];
    if (request.kind === "period") {
      for (const invoice of mine) {
        const closedEarlier = invoice.kind === "period" && invoice.periodStart < request.period.start && invoice.periodEnd.getTime() > request.period.start.getTime() - lateUsageLookbackMs;
        if (!closedEarlier) continue;
        const period = { start: invoice.periodStart, end: invoice.periodEnd };
        windows.push({ period, window: usageWindow(subscription, period, period.end), late: true });
      }
    }
    planned.push({ request, subscription, externalId: externalIdByCustomer.get(subscription.customerId) ?? "", terms, sequence, windows, baseFee: request.kind === "period" ? baseFeeFor(subscription, terms, actual.index, request.period, options.rateWith ? [] : pendingChanges.filter((row) => row.subscriptionId === subscription.id), termsByVersion) : null });
  }
  if (planned.length === 0) return results;

  const usage = await readPlannedUsage(db, planned);
  const billed = options.rateWith ? new Map<string, Map<string, BilledGroup & { usageQuantity: string }>>() : await readBilled(db, planned);
  const promotions = await readPromotions(db, planned);
  for (const [index, item] of planned.entries()) {
    const ratings: MeterUsageRating[] = [];
    const billedRows: ComputedInvoice["billed"] = [];
    for (const [windowIndex, window] of item.windows.entries()) {
      for (const meter of item.terms.meters) {
        const groups = usage.get(`${index}:${windowIndex}:${meter.meterKey}`) ?? [];
        const before = billed.get(billedKey(item.subscription.id, window.period.start, meter.meterKey)) ?? new Map<string, BilledGroup & { usageQuantity: string }>();
        const allowance = promotions.allowance(item.subscription.customerId, meter.meterKey, window.period).plus(meter.planAllowance).toFixed();
        const rated = rateUsageGroups(meter, groups, allowance, before);
        // Late windows only matter where something changed since they were billed.
        const changed = window.late ? rated.filter((group) => before.get(group.groupKey)?.usageQuantity !== group.usageQuantity || group.amountMicros !== 0n) : rated;
        if (changed.length === 0) continue;
        ratings.push({ meter, period: window.period, late: window.late, groups: changed });
        for (const group of changed) billedRows.push({ period: window.period, meterKey: meter.meterKey, group });
      }
    }
    const discounts = promotions.discounts(item.subscription.customerId, item.terms.currency, item.request.period, item.request.kind);
    const draft = buildInvoiceDraft({ kind: item.request.kind, planKey: item.terms.planKey, planName: item.terms.planName, usage: ratings, baseFee: item.baseFee, discounts });
    results.push({
      request: item.request,
      status: "computed",
      invoice: { request: item.request, subscription: item.subscription, customerExternalId: item.externalId, terms: item.terms, sequence: item.sequence, usageWindow: item.windows[0]!.window, draft, billed: billedRows, discounts },
    });
  }
  return results;
}

/**
 * The rollup hours of a period that are billed: [start, end) rounded down to whole hours (rollups
 * are hourly; the demo's anchors are whole hours, and an anchor off the hour bills each partial
 * hour with the period that contains the hour's start, so every hour is billed exactly once).
 * Usage before the trial ends and after the subscription ended is not billed (as in Stripe).
 */
export function usageWindow(subscription: Pick<Subscription, "trialEnd" | "endedAt">, period: Period, until: Date): Period {
  const floor = (at: Date) => new Date(Math.floor(at.getTime() / hourMs) * hourMs);
  let start = floor(period.start);
  if (subscription.trialEnd && subscription.trialEnd > period.start) start = new Date(Math.max(start.getTime(), Math.ceil(subscription.trialEnd.getTime() / hourMs) * hourMs));
  let end = floor(new Date(Math.min(period.end.getTime(), until.getTime())));
  if (subscription.endedAt) end = new Date(Math.min(end.getTime(), floor(subscription.endedAt).getTime()));
  return { start, end: end < start ? start : end };
}

/**
 * The base fee is billed in advance, as Stripe bills licensed prices: the invoice closing period N
 * carries seats × fee for period N+1 (and the usage of period N), so it matches Stripe's renewal
 * invoice line by line. Nothing when the subscription ends or is set to cancel at period end, or
 * when period N+1 starts inside the trial. A plan/seat change scheduled for the end of period N
 * (customers' `subscription_scheduled_changes`) gives period N+1's fee: Stripe's schedule switches
 * the price at the same renewal.
 */
function baseFeeFor(subscription: Subscription, terms: BillingTerms, index: number, period: Period, pending: readonly PendingChange[], termsByVersion: Map<string, BillingTerms>): Planned["baseFee"] {
  if (subscription.cancelAtPeriodEnd || subscription.status === "canceled") return null;
  const change = pending.find((row) => row.effectiveAt.getTime() === period.end.getTime());
  const nextTerms = (change && termsByVersion.get(change.toPlanVersionId)) || terms;
  const seats = change && termsByVersion.has(change.toPlanVersionId) ? change.toSeats : subscription.seats;
  if (nextTerms.baseFeePerSeatMicros === 0n) return null;
  const next = { start: period.end, end: addIntervals(subscription.billingAnchor, terms.interval, index + 2) };
  if (subscription.endedAt && subscription.endedAt <= next.start) return null;
  if (subscription.trialEnd && subscription.trialEnd > next.start) return null;
  return { seats, perSeatMicros: nextTerms.baseFeePerSeatMicros, period: next, planKey: nextTerms.planKey, planName: nextTerms.planName };
}

async function readPlannedUsage(db: Db, planned: readonly Planned[]) {
  const keys: string[] = [];
  const targets: UsageTarget[] = [];
  for (const [index, item] of planned.entries()) {
    for (const [windowIndex, window] of item.windows.entries()) {
      if (window.window.end <= window.window.start) continue;
      for (const meter of item.terms.meters) {
        keys.push(`${index}:${windowIndex}:${meter.meterKey}`);
        targets.push({ subject: item.externalId, meterId: meter.meterId, meterKey: meter.meterKey, aggregation: meter.aggregation, ratingDimension: meter.ratingDimension, start: window.window.start, end: window.window.end });
      }
    }
  }
  const result = new Map<string, Awaited<ReturnType<typeof readUsageGroups>>[number]>();
  for (let offset = 0; offset < targets.length; offset += usageTargetsPerQueryMax) {
    const groups = await readUsageGroups(db, targets.slice(offset, offset + usageTargetsPerQueryMax));
    groups.forEach((group, index) => result.set(keys[offset + index]!, group));
  }
  return result;
}

function billedKey(subscriptionId: string, periodStart: Date, meterKey: string): string {
  return `${subscriptionId}|${periodStart.toISOString()}|${meterKey}`;
}

async function readBilled(db: Db, planned: readonly Planned[]) {
  const result = new Map<string, Map<string, BilledGroup & { usageQuantity: string }>>();
  const earliest = new Date(Math.min(...planned.flatMap((item) => item.windows.map((window) => window.period.start.getTime()))));
  const rows = await db
    .select({ subscriptionId: billedUsage.subscriptionId, periodStart: billedUsage.periodStart, meterKey: billedUsage.meterKey, groupKey: billedUsage.groupKey, usageQuantity: billedUsage.usageQuantity, billableQuantity: billedUsage.billableQuantity })
    .from(billedUsage)
    .where(and(inArray(billedUsage.subscriptionId, planned.map((item) => item.subscription.id)), sql`${billedUsage.periodStart} >= ${earliest.toISOString()}::timestamptz`));
  for (const row of rows) {
    const key = billedKey(row.subscriptionId, row.periodStart, row.meterKey);
    const groups = result.get(key) ?? new Map();
    groups.set(row.groupKey, { usageQuantity: new Decimal(row.usageQuantity).toFixed(), billableQuantity: new Decimal(row.billableQuantity).toFixed() });
    result.set(key, groups);
  }
  return result;
}

/** Promotion allowances and discounts of the batch's customers (tables of the grants/promotions domain). */
async function readPromotions(db: Db, planned: readonly Planned[]) {
  const customerIds = [...new Set(planned.map((item) => item.subscription.customerId))];
  const earliest = new Date(Math.min(...planned.flatMap((item) => item.windows.map((window) => window.period.start.getTime()))));
  const allowances = await db
    .select({ customerId: allowanceGrants.customerId, meterKey: allowanceGrants.meterKey, quantity: allowanceGrants.quantityPerPeriod, startsAt: allowanceGrants.startsAt, endsAt: allowanceGrants.endsAt })
    .from(allowanceGrants)
    .where(and(inArray(allowanceGrants.customerId, customerIds), gt(allowanceGrants.endsAt, earliest)));
  const discounts = await db
    .select()
    .from(customerDiscounts)
    .where(and(inArray(customerDiscounts.customerId, customerIds), gt(customerDiscounts.periodsRemaining, 0), gt(customerDiscounts.endsAt, earliest)))
    .orderBy(customerDiscounts.createdAt, customerDiscounts.id);
  return {
    /** Extra allowance of promotions whose window overlaps the period (each counts once per period). */
    allowance(customerId: string, meterKey: string, period: Period): Decimal {
      return allowances
        .filter((row) => row.customerId === customerId && row.meterKey === meterKey && row.startsAt < period.end && row.endsAt > period.start)
        .reduce((sum, row) => sum.plus(row.quantity), new Decimal(0));
    },
    /**
     * Discounts for periods that start in [starts_at, ends_at) with periods left. Percent
     * discounts apply to every invoice of the period (threshold ones too, so splitting changes
     * nothing); fixed ones to the period invoice only, which also counts the period down.
     */
    discounts(customerId: string, currency: string, period: Period, kind: CloseKind): ApplicableDiscount[] {
      return discounts
        .filter((row) => row.customerId === customerId && row.currency === currency && row.startsAt <= period.start && row.endsAt > period.start)
        .filter((row) => kind === "period" || row.percentBasisPoints !== null)
        .map((row) => ({ id: row.id, productKey: row.productKey, percentBasisPoints: row.percentBasisPoints, fixedMicros: row.fixedMicros }));
    },
  };
}

/** Customers with a credit grant that could still pay for something (the rest skip `burnGrants`). */
export async function customersWithLiveGrants(db: Db, customerIds: readonly string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = await executeRows<{ customer_id: string }>(
    db,
    sql`select distinct customer_id from credit_grants
        where customer_id = any(${`{${customerIds.join(",")}}`}::uuid[]) and expired_at is null`,
  );
  return new Set(rows.map((row) => row.customer_id));
}
