import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, subscriptions, type BillingInterval } from "@/db/schema";
import { periodContaining } from "@/server/customers/billing-period";
import { DomainError } from "@/server/errors";
import { loadBillingTerms } from "./billing-terms";
import { finishInvoice, type Period } from "./build-invoice";
import { computeInvoiceDrafts, type CloseRequest } from "./compute-invoice-drafts";

/** The most subscriptions one call rates (twice each); a run pages through a version's subscriptions in batches up to this. */
export const simulationBatchMax = 1_000;

/** Subscription statuses a simulation rates: the ones that are billed. */
export const simulatedStatuses = ["active", "trialing", "past_due"] as const;

/** One subscription to rate, with the customer it bills. */
export type SimulatedSubscription = {
  subscriptionId: string;
  customerId: string;
  externalId: string;
  name: string;
  billingAnchor: Date;
};

export type SimulatedCustomer = {
  subscriptionId: string;
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
  currentMicros: bigint;
  proposedMicros: bigint;
  differenceMicros: bigint;
  counts: { increase: number; decrease: number; unchanged: number };
  /** One line per subscription of the batch, in the batch's order. */
  customers: SimulatedCustomer[];
};

export type SimulationTerms = { currency: string; interval: BillingInterval };

/** Refuses a pair of versions that cannot be compared: `plan_version_not_found`, `simulation_terms_incompatible`. */
export async function checkSimulationTerms(db: Db, input: { currentVersionId: string; proposedVersionId: string }): Promise<SimulationTerms> {
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
  return { currency: current.currency, interval: current.interval };
}

/** The next page of billed subscriptions on `planVersionId` after `afterSubscriptionId`, by subscription id (a keyset page: each subscription once). */
export async function listSimulatedSubscriptions(db: Db, input: { planVersionId: string; afterSubscriptionId: string | null; limit: number }): Promise<SimulatedSubscription[]> {
  if (input.limit < 1 || input.limit > simulationBatchMax) throw new RangeError(`listSimulatedSubscriptions: limit ${input.limit} outside 1..${simulationBatchMax}`);
  return db
    .select({ subscriptionId: subscriptions.id, customerId: subscriptions.customerId, billingAnchor: subscriptions.billingAnchor, externalId: customers.externalId, name: customers.name })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .where(
      and(
        eq(subscriptions.planVersionId, input.planVersionId),
        inArray(subscriptions.status, [...simulatedStatuses]),
        input.afterSubscriptionId ? gt(subscriptions.id, input.afterSubscriptionId) : undefined,
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(input.limit);
}

/**
 * What a batch of customers on `currentVersionId` would have paid for their last complete billing
 * period under `proposedVersionId`, against what the same invoice computation charges under their
 * own version: usage from the rollups, allowances (plan and promotions), tiers, per-dimension
 * prices, discounts and next period's base fee in advance, before credits. Reads only; nothing is
 * billed. Both versions must share currency and billing interval. A stored run
 * (runPlanSimulation) calls this once per batch.
 */
export async function simulatePlanVersion(
  db: Db,
  input: { currentVersionId: string; proposedVersionId: string; subscriptions: readonly SimulatedSubscription[] },
  options: { now: Date },
): Promise<SimulatePlanVersionResult> {
  if (input.subscriptions.length > simulationBatchMax) throw new RangeError(`simulatePlanVersion: ${input.subscriptions.length} subscriptions, at most ${simulationBatchMax} per batch`);
  const terms = await checkSimulationTerms(db, input);
  const requests: CloseRequest[] = input.subscriptions.map((row) => {
    const now = periodContaining(row.billingAnchor, terms.interval, options.now);
    const last = periodContaining(row.billingAnchor, terms.interval, new Date(now.start.getTime() - 1));
    return { subscriptionId: row.subscriptionId, kind: "period", period: { start: last.start, end: last.end } };
  });
  const before = await totalsBySubscription(db, requests, input.currentVersionId, options.now);
  const after = await totalsBySubscription(db, requests, input.proposedVersionId, options.now);
  const changes: SimulatedCustomer[] = input.subscriptions.map((row, index) => {
    const currentMicros = before.get(row.subscriptionId) ?? 0n;
    const proposedMicros = after.get(row.subscriptionId) ?? 0n;
    return {
      subscriptionId: row.subscriptionId,
      customerId: row.customerId,
      externalId: row.externalId,
      name: row.name,
      period: requests[index]!.period,
      currentMicros,
      proposedMicros,
      differenceMicros: proposedMicros - currentMicros,
    };
  });
  const sum = (pick: (change: SimulatedCustomer) => bigint) => changes.reduce((total, change) => total + pick(change), 0n);
  return {
    currency: terms.currency,
    subscriptions: changes.length,
    currentMicros: sum((change) => change.currentMicros),
    proposedMicros: sum((change) => change.proposedMicros),
    differenceMicros: sum((change) => change.differenceMicros),
    counts: {
      increase: changes.filter((change) => change.differenceMicros > 0n).length,
      decrease: changes.filter((change) => change.differenceMicros < 0n).length,
      unchanged: changes.filter((change) => change.differenceMicros === 0n).length,
    },
    customers: changes,
  };
}

/** Each request's invoice total before credits when rated under `planVersionId`. */
async function totalsBySubscription(db: Db, requests: readonly CloseRequest[], planVersionId: string, now: Date): Promise<Map<string, bigint>> {
  const totals = new Map<string, bigint>();
  if (requests.length === 0) return totals;
  const computed = await computeInvoiceDrafts(db, requests, { lock: false, now, rateWith: planVersionId });
  for (const result of computed) {
    if (result.status === "computed") totals.set(result.request.subscriptionId, finishInvoice(result.invoice.draft, []).totals.totalMicros);
  }
  return totals;
}
