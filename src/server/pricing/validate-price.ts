import { Decimal, decimalPlaces, isDecimalString } from "./decimal";
import type { Price, PriceModel, PriceTier } from "./price-schema";

export const maxPriceDecimalPlaces = 12;

export const priceIssueCodes = [
  "invalid_decimal",
  "too_many_decimal_places",
  "negative_price",
  "negative_quantity",
  "tiers_empty",
  "tier_bound_not_positive",
  "tiers_not_increasing",
  "open_tier_not_last",
  "last_tier_bounded",
  "package_size_invalid",
  "duplicate_override",
] as const;
export type PriceIssueCode = (typeof priceIssueCodes)[number];

export type PriceIssue = { code: PriceIssueCode; message: string; path: (string | number)[] };

/**
 * Checks what the shape schema cannot: every problem is reported (not just the first),
 * each with a stable code and the path of the offending field. An empty list means the
 * price can be rated. Tiers are written as upper bounds only, so they are contiguous by
 * construction; what can still go wrong is order, an open tier before the end, or a
 * bounded last tier (which would leave quantities above it unpriced).
 */
export function validatePrice(price: Price): PriceIssue[] {
  const issues: PriceIssue[] = [];
  validateModel(price, [], issues);
  const overrides = price.dimensionOverrides;
  if (overrides) {
    const seen = new Set<string>();
    overrides.prices.forEach((override, index) => {
      const path = ["dimensionOverrides", "prices", index];
      if (seen.has(override.value)) {
        issues.push({
          code: "duplicate_override",
          message: `${overrides.dimension} = "${override.value}" has more than one price; keep one.`,
          path: [...path, "value"],
        });
      }
      seen.add(override.value);
      validateModel(override.price, [...path, "price"], issues);
    });
  }
  return issues;
}

function validateModel(price: PriceModel, path: (string | number)[], issues: PriceIssue[]): void {
  checkDecimal(price.includedQuantity, [...path, "includedQuantity"], "quantity", issues);
  switch (price.model) {
    case "per_unit":
      checkDecimal(price.unitPrice, [...path, "unitPrice"], "price", issues);
      return;
    case "graduated":
    case "volume":
      validateTiers(price.tiers, [...path, "tiers"], issues);
      return;
    case "package": {
      checkDecimal(price.packagePrice, [...path, "packagePrice"], "price", issues);
      const size = checkDecimal(price.packageSize, [...path, "packageSize"], "quantity", issues);
      if (size && (size.lessThan(1) || !size.isInteger())) {
        issues.push({
          code: "package_size_invalid",
          message: `A package must hold a whole number of units, at least 1 (got ${price.packageSize}).`,
          path: [...path, "packageSize"],
        });
      }
      return;
    }
  }
}

function validateTiers(tiers: PriceTier[], path: (string | number)[], issues: PriceIssue[]): void {
  if (tiers.length === 0) {
    issues.push({ code: "tiers_empty", message: "Add at least one tier.", path });
    return;
  }
  let previous: Decimal = new Decimal(0);
  tiers.forEach((tier, index) => {
    const tierPath = [...path, index];
    checkDecimal(tier.unitPrice, [...tierPath, "unitPrice"], "price", issues);
    if (tier.flatAmountMicros !== undefined && tier.flatAmountMicros.startsWith("-")) {
      issues.push({
        code: "negative_price",
        message: "A flat fee cannot be negative.",
        path: [...tierPath, "flatAmountMicros"],
      });
    }
    const isLast = index === tiers.length - 1;
    if (tier.upTo === null) {
      if (!isLast) {
        issues.push({
          code: "open_tier_not_last",
          message: `Tier ${index + 1} has no upper bound, so the tiers after it can never apply; only the last tier may be open-ended.`,
          path: [...tierPath, "upTo"],
        });
      }
      return;
    }
    if (isLast) {
      issues.push({
        code: "last_tier_bounded",
        message: `The last tier ends at ${tier.upTo}; leave its upper bound empty so larger quantities have a price.`,
        path: [...tierPath, "upTo"],
      });
    }
    const bound = checkDecimal(tier.upTo, [...tierPath, "upTo"], "quantity", issues);
    if (!bound) return;
    if (index === 0 && bound.lessThanOrEqualTo(0)) {
      issues.push({
        code: "tier_bound_not_positive",
        message: "The first tier must end above 0.",
        path: [...tierPath, "upTo"],
      });
    } else if (index > 0 && bound.lessThanOrEqualTo(previous)) {
      issues.push({
        code: "tiers_not_increasing",
        message: `Tier ${index + 1} ends at ${tier.upTo}, not above the previous tier's ${previous.toFixed()}; upper bounds must strictly increase.`,
        path: [...tierPath, "upTo"],
      });
    }
    if (bound.greaterThan(previous)) previous = bound;
  });
}

function checkDecimal(
  value: string,
  path: (string | number)[],
  kind: "price" | "quantity",
  issues: PriceIssue[],
): Decimal | undefined {
  if (!isDecimalString(value)) {
    issues.push({ code: "invalid_decimal", message: `"${value}" is not a decimal number.`, path });
    return undefined;
  }
  if (decimalPlaces(value) > maxPriceDecimalPlaces) {
    issues.push({
      code: "too_many_decimal_places",
      message: `${value} has more than ${maxPriceDecimalPlaces} decimal places.`,
      path,
    });
  }
  const parsed = new Decimal(value);
  if (parsed.isNegative() && !parsed.isZero()) {
    issues.push(
      kind === "price"
        ? { code: "negative_price", message: `A price cannot be negative (got ${value}).`, path }
        : { code: "negative_quantity", message: `A quantity cannot be negative (got ${value}).`, path },
    );
    return undefined;
  }
  return parsed;
}
