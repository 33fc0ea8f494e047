import DecimalJs from "decimal.js";

/**
 * The pricing engine's private Decimal: 100 significant digits, so every product of a
 * price (≤ 12 decimal places) and a quantity we accept is exact, and ROUND_HALF_EVEN for
 * the single conversion to micro-units. Never shared, so no other code can change its
 * configuration under us.
 */
export const Decimal = DecimalJs.clone({
  precision: 100,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});
export type Decimal = InstanceType<typeof Decimal>;

export const MICROS_PER_UNIT = new Decimal(1_000_000);

/** Largest number of digits we accept in a decimal string (guards exactness at precision 100). */
const maxDecimalStringLength = 40;
const decimalPattern = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export function isDecimalString(value: string): boolean {
  return value.length <= maxDecimalStringLength && decimalPattern.test(value);
}

/** Parses a decimal string; a malformed one is a programmer error here (boundaries parse with zod first). */
export function parseDecimal(value: string, what: string): Decimal {
  if (!isDecimalString(value)) throw new RangeError(`${what} must be a decimal string, got ${JSON.stringify(value)}`);
  return new Decimal(value);
}

export function parseQuantity(value: string, what = "quantity"): Decimal {
  const quantity = parseDecimal(value, what);
  if (quantity.isNegative()) throw new RangeError(`${what} must not be negative, got ${value}`);
  return quantity;
}

export function decimalPlaces(value: string): number {
  const dot = value.indexOf(".");
  return dot === -1 ? 0 : value.length - dot - 1;
}

/**
 * The one rounding rule of the pricing engine: an exact amount in major units becomes
 * micro-units (1 USD = 1,000,000 micro) by rounding half to even at the micro-unit
 * ("banker's rounding": 0.5 micro → 0, 1.5 micro → 2), so rounding errors do not drift
 * in one direction over many lines. It is applied once per rated line and nowhere else.
 */
export function toMicrosHalfEven(amountMajor: Decimal): bigint {
  const micros = amountMajor.times(MICROS_PER_UNIT).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return BigInt(micros.toFixed());
}

/** Micro-units (exact, possibly fractional) as a plain decimal string, for readable lines. */
export function toExactMicrosString(amountMajor: Decimal): string {
  return amountMajor.times(MICROS_PER_UNIT).toFixed();
}

export function microsToDecimal(micros: bigint): Decimal {
  return new Decimal(micros.toString()).dividedBy(MICROS_PER_UNIT);
}

export function decimalToString(value: Decimal): string {
  return value.toFixed();
}
