import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { entitlementReservations } from "@/db/schema";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { Decimal, decimalToString } from "@/server/pricing/decimal";
import { isCurrent, loadEntitlementDefinitionByExternalId, peekEntitlementDefinition } from "./entitlement-cache";
import type { EntitlementDefinition } from "./entitlement-definition";
import {
  decide,
  featureTerms,
  readEvaluationContext,
  readSnapshot,
  type EntitlementDecision,
  type EvaluationContext,
  type FeatureTerms,
} from "./evaluate-entitlement";
import { executePreparedRows } from "@/db/execute-prepared";
import { countDenial } from "./count-denials";
import { recordSpendWarnings } from "./record-spend-warnings";
import { entitlementCacheLookupsTotal } from "@/server/observability/tally-metrics";

const cacheHits = entitlementCacheLookupsTotal.labels("hit");
const cacheMisses = entitlementCacheLookupsTotal.labels("miss");

export const reservationTtlSecondsDefault = 300;
export const reservationTtlSecondsMax = 86_400;

/** Decimal strings: up to 20 integer digits and 12 decimals (the pricing engine's precision). */
const quantitySchema = z.string().max(40).regex(/^\d{1,20}(\.\d{1,12})?$/, "quantity must be a decimal string such as \"1\" or \"1500.5\"");

export const checkEntitlementInput = z
  .object({
    customer: z.string().min(1).max(256),
    feature: z.string().min(1).max(64),
    quantity: quantitySchema.optional(),
    reserve: z.boolean().optional(),
    ttlSeconds: z.number().int().min(1).max(reservationTtlSecondsMax).optional(),
  })
  .strict()
  .superRefine((input, context) => {
    if (input.ttlSeconds !== undefined && !input.reserve) {
      context.addIssue({ code: "custom", path: ["ttlSeconds"], message: "ttlSeconds applies only with reserve: true" });
    }
    if (input.reserve && input.quantity !== undefined && /^0+(\.0+)?$/.test(input.quantity)) {
      context.addIssue({ code: "custom", path: ["quantity"], message: "a reservation holds a positive quantity" });
    }
  });

export type CheckEntitlementInput = z.input<typeof checkEntitlementInput>;

export type CheckEntitlementResult = EntitlementDecision & { reservationId?: string; reservationExpiresAt?: Date };

export type CheckEntitlementOptions = {
  clock?: Clock;
  spendWarningThresholdsPercent?: readonly number[];
  /** Read the period's past whole hours through the cached usage prefix (usage-prefix-cache.ts); default true. */
  usagePrefix?: boolean;
};

/**
 * May `customer` (external id) use `quantity` (default 1) of `feature` now? Without `reserve`,
 * exact as of this moment's rollups plus events not yet rolled up plus pending holds, with no
 * lock and no write (except a spend warning the first time a threshold is seen). With
 * `reserve`, the quantity is held (a pending reservation) under a lock on (customer, feature)
 * — plus one on the customer's spend when a spend limit governs the feature — so concurrent
 * reservations can never together pass a hard limit. Invalid input throws DomainError
 * `invalid_entitlement_check`; everything else is an answer with a stable `reason`.
 */
export async function checkEntitlement(db: Db, input: CheckEntitlementInput, options: CheckEntitlementOptions = {}): Promise<CheckEntitlementResult> {
  const parsed = checkEntitlementInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("invalid", "invalid_entitlement_check", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`, undefined, { param: issue?.path.join(".") || "body" });
  }
  const request = parsed.data;
  const now = (options.clock ?? systemClock).now();
  const quantity = new Decimal(request.quantity ?? "1");
  const located = await locateDefinition(db, request.customer, request.feature, !request.reserve, now, options.usagePrefix ?? true);
  if (!located) return unknownCustomer(request.feature);
  const { definition, terms } = located;
  const featureExists = terms.kind !== "missing" || located.featureInCatalog;
  if (!request.reserve || terms.kind !== "metered") {
    const context = located.context ?? (await readEvaluationContext(db, definition, [request.feature], now));
    const { holdAmountMicros: _hold, ...decision } = decide(definition, request.feature, quantity, now, context, { featureExists });
    await warnAboutSpend(db, definition, decision, context, options);
    if (!decision.allowed) countDenial(definition.customerId, request.feature, decision.reason, now);
    return decision;
  }
  const ttlSeconds = request.ttlSeconds ?? reservationTtlSecondsDefault;
  const spendLimited = terms.overage === "bill" && definition.subscription?.spendLimitMicros != null;
  const result = await db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    // Per (customer, feature), never global; a spend limit is one budget across the customer's
    // billed features, so those also take the customer's spend lock (always in this order).
    await advisoryLock(tx, `entitlement:${definition.customerId}:${request.feature}`);
    if (spendLimited) await advisoryLock(tx, `entitlement-spend:${definition.customerId}`);
    const context = await readEvaluationContext(tx, definition, [request.feature], now);
    const { holdAmountMicros, ...decision } = decide(definition, request.feature, quantity, now, context, { featureExists });
    if (!decision.allowed || !terms.meter) return { decision, context };
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    const [reservation] = await tx
      .insert(entitlementReservations)
      .values({
        customerId: definition.customerId,
        featureKey: request.feature,
        meterKey: terms.meter.key,
        quantity: decimalToString(quantity),
        amountMicros: spendLimited ? holdAmountMicros : 0n,
        expiresAt,
        createdAt: now,
      })
      .returning({ id: entitlementReservations.id });
    const used = new Decimal(decision.used ?? "0").plus(quantity);
    const limit = decision.limit === null ? null : new Decimal(decision.limit);
    return {
      decision: {
        ...decision,
        used: decimalToString(used),
        remaining: limit === null ? null : decimalToString(Decimal.max(limit.minus(used), 0)),
        ...(decision.spend ? { spend: { ...decision.spend, usedMicros: decision.spend.usedMicros + (spendLimited ? holdAmountMicros : 0n) } } : {}),
        reservationId: reservation?.id,
        reservationExpiresAt: expiresAt,
      },
      context,
    };
  });
  await warnAboutSpend(db, definition, result.decision, result.context, options);
  if (!result.decision.allowed) countDenial(definition.customerId, request.feature, result.decision.reason, now);
  return result.decision;
}

function unknownCustomer(feature: string): CheckEntitlementResult {
  return {
    allowed: false,
    reason: "unknown_customer",
    feature,
    kind: null,
    limit: null,
    used: null,
    remaining: null,
    resetsAt: null,
    overage: null,
  };
}

type Located = { definition: EntitlementDefinition; terms: FeatureTerms; featureInCatalog: boolean; context?: EvaluationContext };

/**
 * The customer's current definition, the feature's terms and — with `evaluate` — the usage and
 * holds the decision needs, in as few round trips as possible:
 *  - cached definition (the usual case): ONE statement reads the customer and its version, and
 *    in the same snapshot the usage and holds the cached terms call for (and whether the feature
 *    is in the catalog when the terms lack it). If the version (or the customer behind the
 *    external id) moved, that read is discarded and we fall through;
 *  - otherwise: one statement loads the definition with its version, then one reads usage and
 *    holds (none for boolean and config features).
 * Undefined when no customer has the external id.
 */
async function locateDefinition(db: Db, externalId: string, feature: string, evaluate: boolean, now: Date, usagePrefix: boolean): Promise<Located | undefined> {
  const cached = peekEntitlementDefinition(db, externalId);
  if (cached) {
    const terms = featureTerms(cached, feature, now);
    const snapshot = await readSnapshot(
      db,
      {
        externalId,
        ...(terms.kind === "missing" ? { catalogFeature: feature } : {}),
        ...(evaluate ? { evaluate: { definition: cached, featureKeys: [feature], usagePrefix } } : {}),
      },
      now,
    );
    if (!snapshot.customer) return undefined;
    if (isCurrent(cached, snapshot.customer)) {
      cacheHits.inc();
      return { definition: cached, terms, featureInCatalog: snapshot.featureInCatalog ?? true, ...(snapshot.context ? { context: snapshot.context } : {}) };
    }
  }
  cacheMisses.inc();
  const definition = await loadEntitlementDefinitionByExternalId(db, externalId, now);
  if (!definition) return undefined;
  const terms = featureTerms(definition, feature, now);
  const snapshot = await readSnapshot(
    db,
    {
      ...(terms.kind === "missing" ? { catalogFeature: feature } : {}),
      ...(evaluate ? { evaluate: { definition, featureKeys: [feature], usagePrefix } } : {}),
    },
    now,
  );
  return { definition, terms, featureInCatalog: snapshot.featureInCatalog ?? true, ...(snapshot.context ? { context: snapshot.context } : {}) };
}

/** A transaction-scoped advisory lock on a 64-bit hash of the key (a collision only serializes two unrelated keys). */
export async function advisoryLock(db: Db, key: string): Promise<void> {
  await executePreparedRows(db, sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))::text as locked`);
}

async function warnAboutSpend(
  db: Db,
  definition: EntitlementDefinition,
  decision: EntitlementDecision,
  context: EvaluationContext,
  options: CheckEntitlementOptions,
): Promise<void> {
  const period = context.period;
  if (!decision.spend || !period || !definition.subscription) return;
  // Usage that cannot be rated counts as the limit spent for the decision; it is no reason to warn anyone.
  for (const usage of context.usage.values()) if (usage.problem) return;
  await recordSpendWarnings(db, {
    customerId: definition.customerId,
    period,
    currency: definition.subscription.currency,
    limitMicros: decision.spend.limitMicros,
    usedMicros: decision.spend.usedMicros,
    thresholdsPercent: options.spendWarningThresholdsPercent ?? definition.subscription.spendWarningThresholdsPercent,
  });
}
