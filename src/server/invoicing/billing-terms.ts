import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { meters, planVersions, plans, products, type BillingInterval, type MeterAggregation } from "@/db/schema";
import { Decimal } from "@/server/pricing/decimal";
import type { Price } from "@/server/pricing/price-schema";

/** One priced meter of a plan version, with what invoicing needs to rate and post it. */
export type BilledMeter = {
  meterKey: string;
  meterId: string;
  meterName: string;
  unit: string;
  aggregation: MeterAggregation;
  /** Revenue is reported per product (`revenue:usage:<product>`); a meter without a product reports under `usage`. */
  productKey: string;
  price: Price;
  /** The price's override dimension (e.g. `model`): usage is rated per value of it; null = the whole meter is one group. */
  ratingDimension: string | null;
  /**
   * Free quantity per period from the plan's metered entitlement that the price does not already
   * include (allowance − the default price's includedQuantity, not below zero), so free units are
   * never counted twice. Promotion allowances are added per customer and period.
   */
  planAllowance: string;
};

export type BillingTerms = {
  planVersionId: string;
  planKey: string;
  planName: string;
  version: number;
  currency: string;
  interval: BillingInterval;
  baseFeePerSeatMicros: bigint;
  meters: BilledMeter[];
};

/** Loads the billing terms of plan versions (a handful per batch: customers share a few versions). */
export async function loadBillingTerms(db: Db, planVersionIds: readonly string[]): Promise<Map<string, BillingTerms>> {
  const result = new Map<string, BillingTerms>();
  const ids = [...new Set(planVersionIds)];
  if (ids.length === 0) return result;
  const versions = await db
    .select({ version: planVersions, planKey: plans.key, planName: plans.name })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(inArray(planVersions.id, ids));
  const meterKeys = [...new Set(versions.flatMap(({ version }) => version.usagePrices.map((price) => price.meterKey)))];
  const meterRows =
    meterKeys.length === 0
      ? []
      : await db
          .select({ meter: meters, productKey: products.key })
          .from(meters)
          .leftJoin(products, eq(products.id, meters.productId))
          .where(inArray(meters.key, meterKeys));
  const meterByKey = new Map(meterRows.map((row) => [row.meter.key, row]));
  for (const { version, planKey, planName } of versions) {
    const billed: BilledMeter[] = [];
    for (const { meterKey, price } of version.usagePrices) {
      const row = meterByKey.get(meterKey);
      if (!row) throw new Error(`invoicing: plan version ${version.id} prices meter ${meterKey}, which does not exist`);
      const entitlement = version.entitlements.find((item) => item.kind === "metered" && item.meterKey === meterKey);
      const allowance = entitlement?.kind === "metered" && entitlement.allowancePerPeriod !== null ? new Decimal(entitlement.allowancePerPeriod) : new Decimal(0);
      const included = new Decimal(price.includedQuantity ?? "0");
      billed.push({
        meterKey,
        meterId: row.meter.id,
        meterName: row.meter.name,
        unit: row.meter.unit,
        aggregation: row.meter.aggregation,
        productKey: row.productKey ?? "usage",
        price,
        ratingDimension: price.dimensionOverrides?.dimension ?? null,
        planAllowance: Decimal.max(allowance.minus(included), 0).toFixed(),
      });
    }
    result.set(version.id, {
      planVersionId: version.id,
      planKey,
      planName,
      version: version.version,
      currency: version.currency,
      interval: version.billingInterval,
      baseFeePerSeatMicros: version.baseFeePerSeatMicros,
      meters: billed,
    });
  }
  return result;
}
