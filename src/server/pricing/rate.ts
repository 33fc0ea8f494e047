import { Decimal, decimalToString, parseDecimal, parseQuantity, toExactMicrosString, toMicrosHalfEven } from "./decimal";
import type { Price, PriceModel, PriceTier } from "./price-schema";

export type RateLineKind = "included" | "per_unit" | "graduated_tier" | "volume_tier" | "package";

/**
 * One line of an invoice breakdown. Tier bounds (`from`, `to`) count billable units,
 * i.e. after the included quantity: a tier covers quantities in (from, to].
 */
export type RateLine = {
  kind: RateLineKind;
  /** 1-based tier number for tiered models, else null. */
  tier: number | null;
  from: string;
  /** null for an open-ended tier or a line that has no upper bound. */
  to: string | null;
  /** Units charged on this line. */
  quantity: string;
  /** Major units per unit; null for package lines. */
  unitPrice: string | null;
  packageSize: string | null;
  packages: string | null;
  packagePrice: string | null;
  flatAmountMicros: bigint;
  /** The exact amount in micro-units before rounding (a decimal string), for audits. */
  amountExactMicros: string;
  /** The line's amount, rounded once (half-even at the micro-unit). */
  amountMicros: bigint;
};

export type RateResult = {
  quantity: string;
  includedQuantity: string;
  billableQuantity: string;
  /** Which price applied: the default, or the override for this dimension value. */
  priceSource: { kind: "default" } | { kind: "override"; dimension: string; value: string };
  /** Always the sum of the lines' `amountMicros`, so an invoice's lines add up to its total. */
  amountMicros: bigint;
  lines: RateLine[];
};

/** Picks the override whose dimension value matches, else the default price. */
export function selectPriceModel(
  price: Price,
  dimensions: Readonly<Record<string, string>> = {},
): { model: PriceModel; source: RateResult["priceSource"] } {
  const overrides = price.dimensionOverrides;
  if (overrides) {
    const value = dimensions[overrides.dimension];
    const match = value === undefined ? undefined : overrides.prices.find((override) => override.value === value);
    if (match && value !== undefined) {
      return { model: match.price, source: { kind: "override", dimension: overrides.dimension, value } };
    }
  }
  return { model: price, source: { kind: "default" } };
}

/**
 * Rates a quantity (a decimal string, ≥ 0) under a price. Pure and exact: amounts are
 * computed as exact decimals and each line is rounded once to micro-units (half-even).
 * The included quantity is subtracted first; tiers then apply to the rest. Zero billable
 * units cost nothing: no tier is entered, so no tier's flat fee is charged.
 * The price must be valid (`validatePrice` returns no issues).
 */
export function rate(price: Price, quantity: string, dimensions?: Readonly<Record<string, string>>): RateResult {
  const { model, source } = selectPriceModel(price, dimensions);
  const total = parseQuantity(quantity);
  const included = parseQuantity(model.includedQuantity, "includedQuantity");
  const billable = Decimal.max(total.minus(included), 0);
  const lines: RateLine[] = [];
  if (included.greaterThan(0) && total.greaterThan(0)) {
    lines.push(includedLine(Decimal.min(total, included)));
  }
  if (billable.greaterThan(0)) lines.push(...rateBillable(model, billable));
  return {
    quantity: decimalToString(total),
    includedQuantity: decimalToString(included),
    billableQuantity: decimalToString(billable),
    priceSource: source,
    amountMicros: sumMicros(lines),
    lines,
  };
}

export type RateIncrementResult = {
  /** rate(previous + added) − rate(previous): accruing increments never drifts from rating the total. */
  amountMicros: bigint;
  /** Per-line differences; a line that no longer applies (volume tier left behind) appears negated. */
  lines: RateLine[];
};

/**
 * The marginal cost of `addedQuantity` units on top of `previousQuantity` already rated in
 * the same period. Defined as a difference of totals, so the sum of increments over a
 * period equals rating the period's total exactly, to the micro-unit.
 */
export function rateIncrement(
  price: Price,
  previousQuantity: string,
  addedQuantity: string,
  dimensions?: Readonly<Record<string, string>>,
): RateIncrementResult {
  const previous = parseQuantity(previousQuantity, "previousQuantity");
  const added = parseQuantity(addedQuantity, "addedQuantity");
  const before = rate(price, decimalToString(previous), dimensions);
  const after = rate(price, decimalToString(previous.plus(added)), dimensions);
  const lines = diffLines(before.lines, after.lines);
  return { amountMicros: after.amountMicros - before.amountMicros, lines };
}

function rateBillable(model: PriceModel, billable: Decimal): RateLine[] {
  switch (model.model) {
    case "per_unit":
      return [priceLine("per_unit", null, new Decimal(0), null, billable, parseDecimal(model.unitPrice, "unitPrice"), 0n)];
    case "graduated":
      return rateGraduated(model.tiers, billable);
    case "volume":
      return [rateVolume(model.tiers, billable)];
    case "package":
      return [ratePackage(model.packageSize, model.packagePrice, billable)];
  }
}

type TierRange = { index: number; from: Decimal; to: Decimal | null; tier: PriceTier };

function tierRanges(tiers: readonly PriceTier[]): TierRange[] {
  let from = new Decimal(0);
  return tiers.map((tier, index) => {
    const to = tier.upTo === null ? null : parseDecimal(tier.upTo, "upTo");
    const range = { index, from, to, tier };
    if (to) from = to;
    return range;
  });
}

function rateGraduated(tiers: readonly PriceTier[], billable: Decimal): RateLine[] {
  const lines: RateLine[] = [];
  for (const range of tierRanges(tiers)) {
    if (!billable.greaterThan(range.from)) break;
    const end = range.to === null ? billable : Decimal.min(billable, range.to);
    lines.push(
      priceLine(
        "graduated_tier",
        range.index + 1,
        range.from,
        range.to,
        end.minus(range.from),
        parseDecimal(range.tier.unitPrice, "unitPrice"),
        flatMicros(range.tier),
      ),
    );
  }
  return lines;
}

function rateVolume(tiers: readonly PriceTier[], billable: Decimal): RateLine {
  const ranges = tierRanges(tiers);
  const reached = ranges.find((range) => range.to === null || billable.lessThanOrEqualTo(range.to));
  if (!reached) throw new RangeError(`Quantity ${billable.toFixed()} is above the last tier; the price is invalid.`);
  return priceLine(
    "volume_tier",
    reached.index + 1,
    reached.from,
    reached.to,
    billable,
    parseDecimal(reached.tier.unitPrice, "unitPrice"),
    flatMicros(reached.tier),
  );
}

function ratePackage(packageSizeText: string, packagePriceText: string, billable: Decimal): RateLine {
  const packageSize = parseDecimal(packageSizeText, "packageSize");
  if (packageSize.lessThan(1)) throw new RangeError("packageSize must be at least 1; the price is invalid.");
  const packagePrice = parseDecimal(packagePriceText, "packagePrice");
  const packages = billable.dividedBy(packageSize).toDecimalPlaces(0, Decimal.ROUND_CEIL);
  const amount = packages.times(packagePrice);
  return {
    kind: "package",
    tier: null,
    from: "0",
    to: null,
    quantity: decimalToString(billable),
    unitPrice: null,
    packageSize: decimalToString(packageSize),
    packages: decimalToString(packages),
    packagePrice: decimalToString(packagePrice),
    flatAmountMicros: 0n,
    amountExactMicros: toExactMicrosString(amount),
    amountMicros: toMicrosHalfEven(amount),
  };
}

function includedLine(quantity: Decimal): RateLine {
  return { ...priceLine("included", null, new Decimal(0), null, quantity, new Decimal(0), 0n) };
}

function priceLine(
  kind: RateLineKind,
  tier: number | null,
  from: Decimal,
  to: Decimal | null,
  quantity: Decimal,
  unitPrice: Decimal,
  flatAmountMicros: bigint,
): RateLine {
  const variable = quantity.times(unitPrice);
  const exactMicros = new Decimal(toExactMicrosString(variable)).plus(flatAmountMicros.toString());
  return {
    kind,
    tier,
    from: decimalToString(from),
    to: to === null ? null : decimalToString(to),
    quantity: decimalToString(quantity),
    unitPrice: decimalToString(unitPrice),
    packageSize: null,
    packages: null,
    packagePrice: null,
    flatAmountMicros,
    amountExactMicros: exactMicros.toFixed(),
    // The flat fee is already whole micro-units, so rounding the variable part is rounding the line.
    amountMicros: toMicrosHalfEven(variable) + flatAmountMicros,
  };
}

function flatMicros(tier: PriceTier): bigint {
  return tier.flatAmountMicros === undefined ? 0n : BigInt(tier.flatAmountMicros);
}

function sumMicros(lines: readonly RateLine[]): bigint {
  return lines.reduce((sum, line) => sum + line.amountMicros, 0n);
}

function lineKey(line: RateLine): string {
  return `${line.kind}:${line.tier ?? ""}`;
}

function diffLines(before: readonly RateLine[], after: readonly RateLine[]): RateLine[] {
  const previous = new Map(before.map((line) => [lineKey(line), line]));
  const lines: RateLine[] = [];
  for (const line of after) {
    const old = previous.get(lineKey(line));
    previous.delete(lineKey(line));
    const diff = old ? subtractLine(line, old) : line;
    if (diff.amountMicros !== 0n || !new Decimal(diff.quantity).isZero()) lines.push(diff);
  }
  for (const old of previous.values()) lines.push(negateLine(old));
  return lines;
}

function subtractLine(line: RateLine, old: RateLine): RateLine {
  return {
    ...line,
    quantity: new Decimal(line.quantity).minus(old.quantity).toFixed(),
    packages: line.packages === null || old.packages === null ? line.packages : new Decimal(line.packages).minus(old.packages).toFixed(),
    flatAmountMicros: line.flatAmountMicros - old.flatAmountMicros,
    amountExactMicros: new Decimal(line.amountExactMicros).minus(old.amountExactMicros).toFixed(),
    amountMicros: line.amountMicros - old.amountMicros,
  };
}

function negateLine(line: RateLine): RateLine {
  return {
    ...line,
    quantity: new Decimal(line.quantity).negated().toFixed(),
    packages: line.packages === null ? null : new Decimal(line.packages).negated().toFixed(),
    flatAmountMicros: -line.flatAmountMicros,
    amountExactMicros: new Decimal(line.amountExactMicros).negated().toFixed(),
    amountMicros: -line.amountMicros,
  };
}
