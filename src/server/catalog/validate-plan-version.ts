import type { Entitlement, Feature, Meter, UsagePrice } from "@/db/schema";
import { decimalPlaces, isDecimalString } from "@/server/pricing/decimal";
import { maxPriceDecimalPlaces, validatePrice, type PriceIssueCode } from "@/server/pricing/validate-price";

export const planVersionIssueCodes = [
  "currency_mismatch",
  "duplicate_usage_price",
  "meter_not_found",
  "override_dimension_not_grouped",
  "duplicate_entitlement",
  "feature_not_found",
  "feature_kind_mismatch",
  "entitlement_meter_not_found",
  "overage_unpriced",
  "allowance_invalid",
] as const;
export type PlanVersionIssueCode = (typeof planVersionIssueCodes)[number];

/** A price's own issue codes (`tiers_not_increasing`, ...) appear here with the price's path. */
export type PlanVersionIssue = {
  code: PlanVersionIssueCode | PriceIssueCode;
  message: string;
  path: (string | number)[];
};

export type PlanVersionToValidate = {
  currency: string;
  entitlements: readonly Entitlement[];
  usagePrices: readonly UsagePrice[];
};

export type CatalogReferences = {
  metersByKey: ReadonlyMap<string, Pick<Meter, "key" | "groupBy">>;
  featuresByKey: ReadonlyMap<string, Pick<Feature, "key" | "kind">>;
  /** The currency of the plan's versions already published, if any. */
  publishedCurrency: string | null;
};

/**
 * Everything that must hold before a version can bill anyone. Pure: the caller loads the
 * meters and features the version names. Returns every issue, not only the first.
 */
export function validatePlanVersion(version: PlanVersionToValidate, references: CatalogReferences): PlanVersionIssue[] {
  const issues: PlanVersionIssue[] = [];
  if (references.publishedCurrency !== null && references.publishedCurrency !== version.currency) {
    issues.push({
      code: "currency_mismatch",
      message: `The plan's published versions bill in ${references.publishedCurrency}; a new version must too (got ${version.currency}).`,
      path: ["currency"],
    });
  }
  validateUsagePrices(version.usagePrices, references, issues);
  validateEntitlements(version, references, issues);
  return issues;
}

function validateUsagePrices(usagePrices: readonly UsagePrice[], references: CatalogReferences, issues: PlanVersionIssue[]): void {
  const seen = new Set<string>();
  usagePrices.forEach((usagePrice, index) => {
    const path = ["usagePrices", index];
    if (seen.has(usagePrice.meterKey)) {
      issues.push({ code: "duplicate_usage_price", message: `Meter ${usagePrice.meterKey} has two prices; keep one.`, path: [...path, "meterKey"] });
    }
    seen.add(usagePrice.meterKey);
    for (const issue of validatePrice(usagePrice.price)) {
      issues.push({ code: issue.code, message: issue.message, path: [...path, "price", ...issue.path] });
    }
    const meter = references.metersByKey.get(usagePrice.meterKey);
    if (!meter) {
      issues.push({ code: "meter_not_found", message: `No meter has the key ${usagePrice.meterKey}; create it first.`, path: [...path, "meterKey"] });
      return;
    }
    const dimension = usagePrice.price.dimensionOverrides?.dimension;
    if (dimension !== undefined && !meter.groupBy.includes(dimension)) {
      issues.push({
        code: "override_dimension_not_grouped",
        message: `Meter ${meter.key} does not group usage by ${dimension} (it groups by ${meter.groupBy.join(", ") || "nothing"}), so prices per ${dimension} cannot apply.`,
        path: [...path, "price", "dimensionOverrides", "dimension"],
      });
    }
  });
}

function validateEntitlements(version: PlanVersionToValidate, references: CatalogReferences, issues: PlanVersionIssue[]): void {
  const seen = new Set<string>();
  const pricedMeters = new Set(version.usagePrices.map((usagePrice) => usagePrice.meterKey));
  version.entitlements.forEach((entitlement, index) => {
    const path = ["entitlements", index];
    if (seen.has(entitlement.featureKey)) {
      issues.push({ code: "duplicate_entitlement", message: `Feature ${entitlement.featureKey} is granted twice; keep one.`, path: [...path, "featureKey"] });
    }
    seen.add(entitlement.featureKey);
    const feature = references.featuresByKey.get(entitlement.featureKey);
    if (!feature) {
      issues.push({ code: "feature_not_found", message: `No feature has the key ${entitlement.featureKey}.`, path: [...path, "featureKey"] });
    } else if (feature.kind !== entitlement.kind) {
      issues.push({
        code: "feature_kind_mismatch",
        message: `Feature ${feature.key} is ${feature.kind}, but the entitlement is ${entitlement.kind}.`,
        path: [...path, "kind"],
      });
    }
    if (entitlement.kind !== "metered") return;
    if (!references.metersByKey.has(entitlement.meterKey)) {
      issues.push({
        code: "entitlement_meter_not_found",
        message: `Feature ${entitlement.featureKey} is backed by meter ${entitlement.meterKey}, which does not exist.`,
        path: [...path, "meterKey"],
      });
    }
    if (entitlement.overage === "bill" && !pricedMeters.has(entitlement.meterKey)) {
      issues.push({
        code: "overage_unpriced",
        message: `Usage of ${entitlement.featureKey} past the allowance is billed, but meter ${entitlement.meterKey} has no price in this version; add one or block overage.`,
        path: [...path, "overage"],
      });
    }
    const allowance = entitlement.allowancePerPeriod;
    if (allowance !== null && (!isDecimalString(allowance) || allowance.startsWith("-") || decimalPlaces(allowance) > maxPriceDecimalPlaces)) {
      issues.push({
        code: "allowance_invalid",
        message: `The allowance must be a non-negative decimal with at most ${maxPriceDecimalPlaces} decimal places (got ${allowance}).`,
        path: [...path, "allowancePerPeriod"],
      });
    }
  });
}
