import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { FeatureKind } from "@/db/schema";
import { periodContaining, type BillingPeriod } from "@/server/customers/billing-period";
import { Decimal, decimalToString } from "@/server/pricing/decimal";
import type { EntitlementDefinition, MeterInfo } from "./entitlement-definition";
import type { ResolvedCustomer } from "./entitlement-cache";
import { executeCompiledRows, executePreparedRows } from "@/db/execute-prepared";
import {
  parsePeriodUsage,
  periodUsageParts,
  usagePrefixLateSql,
  periodUsageShapeKey,
  periodUsageSql,
  type MeterUsage,
  type PeriodUsageInput,
  type PeriodUsageRow,
  type PeriodUsageShape,
} from "./read-period-usage";
import { marginalCostMicros, rateUsageMicros } from "./rate-spend";
import { currentUsagePrefix, forgetUsagePrefix, refreshUsagePrefixSoon, usagePrefixRawEventsMax } from "./usage-prefix-cache";
import { rollupHistorySql } from "@/server/metering/rollup-history";
import { rollupCursorName } from "@/server/metering/rollup-sql";

/** Stable codes: clients branch on them. */
export const entitlementReasons = [
  "ok",
  "not_in_plan",
  "allowance_exhausted",
  "spend_limit_reached",
  "subscription_inactive",
  "unknown_customer",
  "unknown_feature",
  "feature_disabled",
] as const;
export type EntitlementReason = (typeof entitlementReasons)[number];

export type EntitlementDecision = {
  allowed: boolean;
  reason: EntitlementReason;
  feature: string;
  kind: FeatureKind | null;
  /** Allowance for the period (plan + grants), exact decimal; null = unlimited or not metered. */
  limit: string | null;
  /** Usage this period plus pending holds; null when not metered. */
  used: string | null;
  remaining: string | null;
  resetsAt: Date | null;
  overage: "bill" | "block" | null;
  /** A config feature's value. */
  value?: string | number | boolean;
  /** Set when a spend limit applies to this feature: the period's rated usage plus holds. */
  spend?: { limitMicros: bigint; usedMicros: bigint };
};

/** What a feature is for this customer, before usage. */
export type FeatureTerms =
  | { kind: "missing" }
  | { kind: "boolean"; enabled: boolean }
  | { kind: "config"; value: string | number | boolean }
  | { kind: "metered"; meter: MeterInfo | undefined; allowance: Decimal | null; overage: "bill" | "block" };

const activeStatuses = new Set(["trialing", "active", "past_due"]);

/** Plan entitlement plus allowance grants active at `now`; a grant alone makes a feature metered with a hard limit. */
export function featureTerms(definition: EntitlementDefinition, featureKey: string, now: Date): FeatureTerms {
  const planned = definition.entitlements.find((entitlement) => entitlement.featureKey === featureKey);
  const grants = definition.grants.filter(
    (grant) => grant.featureKey === featureKey && grant.startsAt.getTime() <= now.getTime() && now.getTime() < grant.endsAt.getTime(),
  );
  const granted = grants.reduce((sum, grant) => sum.plus(grant.quantityPerPeriod), new Decimal(0));
  if (planned?.kind === "boolean") return { kind: "boolean", enabled: planned.enabled };
  if (planned?.kind === "config") return { kind: "config", value: planned.value };
  if (planned?.kind === "metered") {
    return {
      kind: "metered",
      meter: definition.meters.get(planned.meterKey),
      allowance: planned.allowancePerPeriod === null ? null : new Decimal(planned.allowancePerPeriod).plus(granted),
      overage: planned.overage,
    };
  }
  const [first] = grants;
  if (first) return { kind: "metered", meter: definition.meters.get(first.meterKey), allowance: granted, overage: "block" };
  return { kind: "missing" };
}

export function currentPeriod(definition: EntitlementDefinition, now: Date): BillingPeriod | null {
  const subscription = definition.subscription;
  return subscription ? periodContaining(subscription.billingAnchor, subscription.billingInterval, now) : null;
}

export type Holds = { quantityByFeature: Map<string, Decimal>; amountMicros: bigint };

const noHolds = (): Holds => ({ quantityByFeature: new Map(), amountMicros: 0n });

/**
 * Pending, unexpired holds of the customer: a hold past its expiry no longer counts, whether or
 * not the worker has marked it. `customerId` and `now` (an ISO timestamp) as values or placeholders.
 */
function holdsSql(customerId: unknown, now: unknown): SQL {
  return sql`select feature_key, sum(quantity)::text as quantity, sum(amount_micros)::text as amount_micros
        from entitlement_reservations
        where customer_id = ${customerId} and status = 'pending' and expires_at > ${now}::timestamptz
        group by feature_key limit 1000`;
}

export async function readHolds(db: Db, customerId: string, now: Date): Promise<Holds> {
  const rows = await executePreparedRows<{ feature_key: string; quantity: string; amount_micros: string }>(db, holdsSql(customerId, now.toISOString()));
  return parseHolds(rows.map((row) => [row.feature_key, row.quantity, row.amount_micros]));
}

function parseHolds(rows: readonly [featureKey: string, quantity: string, amountMicros: string][]): Holds {
  return {
    quantityByFeature: new Map(rows.map(([featureKey, quantity]) => [featureKey, new Decimal(quantity)])),
    amountMicros: rows.reduce((sum, [, , amountMicros]) => sum + BigInt(amountMicros), 0n),
  };
}

export type EvaluationContext = { usage: Map<string, MeterUsage>; holds: Holds; period: BillingPeriod | null };

/** Which meters' usage (and whether holds) the decision on `featureKeys` needs, and the period. */
export function contextReads(
  definition: EntitlementDefinition,
  featureKeys: readonly string[],
  now: Date,
  options: { withSpend?: boolean },
): { period: BillingPeriod | null; usage: PeriodUsageInput | null; holds: boolean } {
  const period = currentPeriod(definition, now);
  const meters = new Map<string, MeterInfo>();
  let needsSpend = options.withSpend === true && definition.subscription?.spendLimitMicros != null;
  for (const featureKey of featureKeys) {
    const terms = featureTerms(definition, featureKey, now);
    if (terms.kind !== "metered" || !terms.meter) continue;
    meters.set(terms.meter.key, terms.meter);
    if (terms.overage === "bill" && definition.subscription?.spendLimitMicros != null) needsSpend = true;
  }
  if (needsSpend) {
    for (const { meterKey } of definition.usagePrices) {
      const meter = definition.meters.get(meterKey);
      if (meter) meters.set(meter.key, meter);
    }
  }
  const usage =
    period && meters.size > 0 ? { subject: definition.externalId, meters: [...meters.values()], start: period.start, end: period.end } : null;
  return { period, usage, holds: meters.size > 0 };
}

/** What one snapshot statement may read besides usage and holds. */
export type SnapshotRequest = {
  /** Resolve the customer with this external id and its entitlement version (validates a cached definition). */
  externalId?: string;
  /** Whether this feature key is in the catalog (only asked when the customer's terms lack it). */
  catalogFeature?: string;
  /** Usage and holds for the decision on these features of this definition. */
  evaluate?: { definition: EntitlementDefinition; featureKeys: readonly string[]; withSpend?: boolean; usagePrefix?: boolean };
};

export type Snapshot = {
  /** Set when `externalId` was asked: undefined when no customer has it. */
  customer?: ResolvedCustomer | undefined;
  featureInCatalog?: boolean;
  context?: EvaluationContext;
};

type SnapshotRow = {
  customer: [id: string, version: string] | null;
  feature_in_catalog: boolean | null;
  /** periodUsageSql's rows, each as an array in its column order. */
  usage: [PeriodUsageRow[keyof PeriodUsageRow]][] | null;
  holds: [featureKey: string, quantity: string, amountMicros: string][] | null;
  /**
   * With a usage prefix: [rollup history generation, cursor at or past the prefix's, whether the
   * subject is marked late past the prefix's cursor, and then its raw events past it (bounded)].
   */
  usage_guard: [generation: string, cursorOk: boolean, late: boolean, rawEvents: number] | null;
};

/**
 * Everything a check reads, in one statement (one round trip, one snapshot): the customer and
 * its entitlement version, whether the feature is in the catalog, the period's usage (exact:
 * rollups plus events past the rollup cursor, see readPeriodUsage) and the pending holds. A
 * statement of a few shapes, prepared per connection.
 */
export async function readSnapshot(db: Db, request: SnapshotRequest, now: Date): Promise<Snapshot> {
  const reads = request.evaluate
    ? contextReads(request.evaluate.definition, request.evaluate.featureKeys, now, { withSpend: request.evaluate.withSpend })
    : null;
  // A usage prefix (usage-prefix-cache.ts) for the non-reserving check, whose db is the long-lived hot handle.
  const prefix = reads?.usage && request.evaluate?.usagePrefix ? await currentUsagePrefix(db, reads.usage, now) : undefined;
  const usage = reads?.usage ? periodUsageParts(reads.usage, prefix) : null;
  const holds = reads?.holds === true && request.evaluate !== undefined;
  const shape: SnapshotShape = { customer: request.externalId !== undefined, feature: request.catalogFeature !== undefined, usage: usage?.shape ?? null, holds };
  if (!shape.customer && !shape.feature && !shape.usage && !shape.holds) {
    return reads ? { context: { usage: new Map(), holds: noHolds(), period: reads.period } } : {};
  }
  const shapeKey = `entitlement-snapshot:${shape.customer ? "c" : ""}${shape.feature ? "f" : ""}${shape.usage ? `u${periodUsageShapeKey(shape.usage)}` : ""}${shape.holds ? "h" : ""}`;
  const [row] = await executeCompiledRows<SnapshotRow>(db, shapeKey, () => snapshotSql(shape), {
    ...usage?.values,
    external_id: request.externalId,
    catalog_feature: request.catalogFeature,
    holds_customer_id: request.evaluate?.definition.customerId,
    holds_now: now.toISOString(),
  });
  if (prefix && reads?.usage && usage?.shape.prefix) {
    const [generation, cursorOk, late, rawEvents] = row?.usage_guard ?? ["", false, false, 0];
    if (generation !== prefix.generation || !cursorOk) {
      // Past rollups were rewritten since the prefix was read: read again without it.
      forgetUsagePrefix(db, reads.usage);
      return readSnapshot(db, { ...request, evaluate: { ...request.evaluate!, usagePrefix: false } }, now);
    }
    // Late events since the prefix's cursor: this check read the subject's raw events past it;
    // a fresh prefix (read in the background) holds them, and the checks after it do not.
    if (late && rawEvents >= usagePrefixRawEventsMax) forgetUsagePrefix(db, reads.usage);
    else if (late) refreshUsagePrefixSoon(db, reads.usage, now);
  }
  const snapshot: Snapshot = {};
  if (request.externalId !== undefined) {
    snapshot.customer = row?.customer ? { id: row.customer[0], externalId: request.externalId, version: BigInt(row.customer[1]) } : undefined;
  }
  if (request.catalogFeature !== undefined) snapshot.featureInCatalog = row?.feature_in_catalog === true;
  if (reads) {
    snapshot.context = {
      usage: reads.usage
        ? parsePeriodUsage(
            reads.usage,
            (row?.usage ?? []).map((values) => {
              const [meter_id, dimensions, is_total, events, sum_value, max_value, latest_value, unique_values] = values as unknown[];
              return { meter_id, dimensions, is_total, events, sum_value, max_value, latest_value, unique_values } as PeriodUsageRow;
            }),
          )
        : new Map(),
      holds: reads.holds ? parseHolds(row?.holds ?? []) : noHolds(),
      period: reads.period,
    };
  }
  return snapshot;
}

type SnapshotShape = { customer: boolean; feature: boolean; usage: PeriodUsageShape | null; holds: boolean };

/** The snapshot statement for a shape, with named placeholders (built once per shape, see executeCompiledRows). */
function snapshotSql(shape: SnapshotShape): SQL {
  const none = sql`null`;
  const customerSql = shape.customer
    ? sql`(select json_build_array(c.id, coalesce(v.version, 0)::text) from customers c
              left join entitlement_versions v on v.customer_id = c.id
              where c.external_id = ${sql.placeholder("external_id")})`
    : none;
  const featureSql = shape.feature ? sql`exists(select 1 from catalog_features where key = ${sql.placeholder("catalog_feature")})` : none;
  const usageSql = shape.usage
    ? sql`(select coalesce(json_agg(json_build_array(u.meter_id, u.dimensions, u.is_total, u.events, u.sum_value, u.max_value, u.latest_value, u.unique_values)), '[]'::json)
            from (${periodUsageSql(shape.usage)}) u)`
    : none;
  const holdsPart = shape.holds
    ? sql`(select coalesce(json_agg(json_build_array(h.feature_key, h.quantity, h.amount_micros)), '[]'::json)
              from (${holdsSql(sql.placeholder("holds_customer_id"), sql.placeholder("holds_now"))}) h)`
    : none;
  const guardSql = shape.usage?.prefix ? usagePrefixGuardSql() : none;
  return sql`select ${customerSql} as customer, ${featureSql} as feature_in_catalog, ${usageSql} as usage, ${holdsPart} as holds, ${guardSql} as usage_guard`;
}

/**
 * What tells whether the usage prefix used by this statement was still exact, read in its
 * snapshot: the rollup history generation, whether the cursor is at or past the prefix's,
 * whether the subject is marked late past the prefix's cursor (then the statement read its raw
 * events past that cursor), and if so how many (counted up to the bound, to drop the prefix).
 */
function usagePrefixGuardSql(): SQL {
  const value = (name: string) => sql.placeholder(`usage_${name}`);
  const prefixCursor = sql`(${value("prefix_txid")}::xid8, ${value("prefix_seq")}::bigint)`;
  return sql`(select json_build_array(
      ${rollupHistorySql()},
      (coalesce((select last_txid from metering_cursors where name = ${rollupCursorName}), '0'::xid8),
       coalesce((select last_seq from metering_cursors where name = ${rollupCursorName}), 0::bigint)) >= ${prefixCursor},
      late,
      case when late then (select count(*) from (select 1 from usage_events where subject collate "C" = ${value("subject")} and (txid, seq) > ${prefixCursor}
                                                 limit ${usagePrefixRawEventsMax}) past) else 0 end)
    from (select ${usagePrefixLateSql()} as late) l)`;
}

/**
 * Reads what the decision on `featureKeys` needs: usage of their meters (and of every priced
 * meter when a spend limit applies) and the holds — in one statement.
 */
export async function readEvaluationContext(
  db: Db,
  definition: EntitlementDefinition,
  featureKeys: readonly string[],
  now: Date,
  options: { withSpend?: boolean } = {},
): Promise<EvaluationContext> {
  const snapshot = await readSnapshot(db, { evaluate: { definition, featureKeys, withSpend: options.withSpend } }, now);
  return snapshot.context ?? { usage: new Map(), holds: noHolds(), period: currentPeriod(definition, now) };
}

/** The decision for `quantity` of `featureKey` (pure, given the context read above). */
export function decide(
  definition: EntitlementDefinition,
  featureKey: string,
  quantity: Decimal,
  now: Date,
  context: EvaluationContext,
  options: { featureExists: boolean },
): EntitlementDecision & { holdAmountMicros: bigint } {
  const terms = featureTerms(definition, featureKey, now);
  const base = {
    feature: featureKey,
    kind: terms.kind === "missing" ? null : terms.kind,
    limit: null,
    used: null,
    remaining: null,
    resetsAt: null,
    overage: null,
    holdAmountMicros: 0n,
  } as const;
  const deny = (reason: EntitlementReason) => ({ ...base, allowed: false, reason });
  if (terms.kind === "missing" && !options.featureExists) return deny("unknown_feature");
  const subscription = definition.subscription;
  if (!subscription || !activeStatuses.has(subscription.status)) return deny("subscription_inactive");
  if (terms.kind === "missing") return deny("not_in_plan");
  const restriction = definition.restriction;
  if (restriction && (restriction.scope === "all" || terms.kind === "metered")) return deny("subscription_inactive");
  if (terms.kind === "boolean") return { ...base, allowed: terms.enabled, reason: terms.enabled ? "ok" : "feature_disabled" };
  if (terms.kind === "config") return { ...base, allowed: true, reason: "ok", value: terms.value };
  return decideMetered(definition, featureKey, terms, quantity, context);
}

function decideMetered(
  definition: EntitlementDefinition,
  featureKey: string,
  terms: Extract<FeatureTerms, { kind: "metered" }>,
  quantity: Decimal,
  context: EvaluationContext,
): EntitlementDecision & { holdAmountMicros: bigint } {
  const meterUsage = terms.meter ? context.usage.get(terms.meter.key) : undefined;
  const held = context.holds.quantityByFeature.get(featureKey) ?? new Decimal(0);
  const used = new Decimal(meterUsage?.quantity ?? "0").plus(held);
  const remaining = terms.allowance === null ? null : Decimal.max(terms.allowance.minus(used), 0);
  const spendLimitMicros = definition.subscription?.spendLimitMicros ?? null;
  // Usage that cannot be rated (rollups from before values were checked) counts as the whole limit spent: refuse rather than guess.
  const rated = terms.overage === "bill" && spendLimitMicros !== null ? rateUsageMicros(definition.usagePrices, context.usage) : 0n;
  const spend =
    terms.overage === "bill" && spendLimitMicros !== null
      ? { limitMicros: spendLimitMicros, usedMicros: (rated ?? spendLimitMicros) + context.holds.amountMicros }
      : undefined;
  // Rating (decimal.js over every price group) only matters against a spend limit: without one
  // the hold's amount is never used, so it is not computed.
  const price =
    spend && terms.meter ? definition.usagePrices.find((usagePrice) => usagePrice.meterKey === terms.meter?.key)?.price : undefined;
  const holdAmountMicros = price && quantity.greaterThan(0) ? marginalCostMicros(price, meterUsage, decimalToString(quantity)) : 0n;
  let reason: EntitlementReason = "ok";
  if (terms.overage === "block" && terms.allowance !== null && used.plus(quantity).greaterThan(terms.allowance)) {
    reason = "allowance_exhausted";
  } else if (spend && (spend.usedMicros >= spend.limitMicros || spend.usedMicros + holdAmountMicros > spend.limitMicros)) {
    reason = "spend_limit_reached";
  }
  return {
    allowed: reason === "ok",
    reason,
    feature: featureKey,
    kind: "metered",
    limit: terms.allowance === null ? null : decimalToString(terms.allowance),
    used: decimalToString(used),
    remaining: remaining === null ? null : decimalToString(remaining),
    resetsAt: context.period?.end ?? null,
    overage: terms.overage,
    ...(spend ? { spend } : {}),
    holdAmountMicros,
  };
}
