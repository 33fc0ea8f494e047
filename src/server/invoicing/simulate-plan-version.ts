import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, subscriptions } from "@/db/schema";
import { periodContaining } from "@/server/customers/billing-period";
import { DomainError } from "@/server/errors";
import { loadBillingTerms } from "./billing-terms";
import { finishInvoice, type Period } from "./build-invoice";
import { computeInvoiceDrafts, type CloseRequest } from "./compute-invoice-drafts";

/** Subscriptions one simulation rates (twice each); past this it says it looked at the first ones. */
export const simulationSubscriptionsMax = 2_000;
const requestsPerBatch = 500;
const largestChangesMax = 10;

export type SimulatedCustomer = {
  customerId: string;
  externalId: string;
  name: string;
  period: Period;
  currentMicros: bigint;
  proposedMicros: bigint;
  differenceMicros: bigint;
};

export type SimulatePlanVersionResult = {
  currency: string;
  subscriptions: number;
  /** More subscriptions are on the current version than one simulation rates. */
  truncated: boolean;
  currentMicros: bigint;
  proposedMicros: bigint;
  differenceMicros: bigint;
  counts: { increase: number; decrease: number; unchanged: number };
  /** The customers whose invoice would change most, either way. */
  largestChanges: SimulatedCustomer[];
};

/**
 * What the customers on `currentVersionId` would have paid for their last complete billing period
 * under `proposedVersionId`, against what the same invoice computation charges under their own
 * version: usage from the rollups, allowances (plan and promotions), tiers, per-dimension prices,
 * discounts and next period's base fee in advance, before credits. Reads only; nothing is billed.
 * Both versions must share currency and billing interval.
 */
export async function simulatePlanVersion(
  db: Db,
  input: { currentVersionId: string; proposedVersionId: string },
  options: { now: Date },
): Promise<SimulatePlanVersionResult> {
  const terms = await loadBillingTerms(db, [input.currentVersionId, input.proposedVersionId]);
  const current = terms.get(input.currentVersionId);
  const proposed = terms.get(input.proposedVersionId);
  if (!current || !proposed) throw new DomainError("not_found", "plan_version_not_found", "One of the plan versions to compare does not exist.");
  if (current.currency !== proposed.currency || current.interval !== proposed.interval) {
    throw new DomainError(
      "invalid",
      "simulation_terms_incompatible",
      `Compare versions with the same currency and billing interval (${current.currency}/${current.interval} against ${proposed.currency}/${proposed.interval}).`,
    );
  }
  const rows = await db
    .select({ id: subscriptions.id, customerId: subscriptions.customerId, anchor: subscriptions.billingAnchor, externalId: customers.externalId, name: customers.name })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(and(eq(subscriptions.planVersionId, input.currentVersionId), inArray(subscriptions.status, ["active", "trialing", "past_due"])))
    .orderBy(asc(subscriptions.id))
    .limit(simulationSubscriptionsMax + 1);
  const simulated = rows.slice(0, simulationSubscriptionsMax);
  const requests: CloseRequest[] = simulated.map((row) => {
    const now = periodContaining(row.anchor, current.interval, options.now);
    const last = periodContaining(row.anchor, current.interval, new Date(now.start.getTime() - 1));
    return { subscriptionId: row.id, kind: "period", period: { start: last.start, end: last.end } };
  });
  const customersBySubscription = new Map(simulated.map((row) => [row.id, row]));
  const changes: SimulatedCustomer[] = [];
  for (let offset = 0; offset < requests.length; offset += requestsPerBatch) {
    const batch = requests.slice(offset, offset + requestsPerBatch);
    const before = await totalsBySubscription(db, batch, input.currentVersionId, options.now);
    const after = await totalsBySubscription(db, batch, input.proposedVersionId, options.now);
    for (const request of batch) {
      const customer = customersBySubscription.get(request.subscriptionId)!;
      const currentMicros = before.get(request.subscriptionId) ?? 0n;
      const proposedMicros = after.get(request.subscriptionId) ?? 0n;
      changes.push({
        customerId: customer.customerId,
        externalId: customer.externalId,
        name: customer.name,
        period: request.period,
        currentMicros,
        proposedMicros,
        differenceMicros: proposedMicros - currentMicros,
      });
    }
  }
  const sum = (pick: (change: SimulatedCustomer) => bigint) => changes.reduce((total, change) => total + pick(change), 0n);
  const magnitude = (value: bigint) => (value < 0n ? -value : value);
  return {
    currency: current.currency,
    subscriptions: changes.length,
    truncated: rows.length > simulationSubscriptionsMax,
    currentMicros: sum((change) => change.currentMicros),
    proposedMicros: sum((change) => change.proposedMicros),
    differenceMicros: sum((change) => change.differenceMicros),
    counts: {
      increase: changes.filter((change) => change.differenceMicros > 0n).length,
      decrease: changes.filter((change) => change.differenceMicros < 0n).length,
      unchanged: changes.filter((change) => change.differenceMicros === 0n).length,
    },
    largestChanges: changes
      .filter((change) => change.differenceMicros !== 0n)
      .sort((left, right) => (magnitude(right.differenceMicros) > magnitude(left.differenceMicros) ? 1 : magnitude(right.differenceMicros) < magnitude(left.differenceMicros) ? -1 : 0))
      .slice(0, largestChangesMax),
  };
}

/** Each request's invoice total before credits when rated under `planVersionId`. */
async function totalsBySubscription(db: Db, requests: readonly CloseRequest[], planVersionId: string, now: Date): Promise<Map<string, bigint>> {
  const computed = await computeInvoiceDrafts(db, requests, { lock: false, now, rateWith: planVersionId });
  const totals = new Map<string, bigint>();
  for (const result of computed) {
    if (result.status === "computed") totals.set(result.request.subscriptionId, finishInvoice(result.invoice.draft, []).totals.totalMicros);
  }
  return totals;
}
