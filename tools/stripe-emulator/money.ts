/**
 * Money in the emulator is integer minor units (cents). Amounts that need a fraction (prorations,
 * decimal unit prices, metered quantities) are computed exactly as BigInt rationals and rounded
 * once, half away from zero, to the minor unit.
 */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

const decimalPattern = /^-?\d+(\.\d{1,12})?$/;

export function isDecimalString(text: string): boolean {
  return decimalPattern.test(text);
}

export function fractionFromDecimal(text: string): Fraction {
  if (!isDecimalString(text)) throw new Error(`not a decimal: ${text}`);
  const negative = text.startsWith("-");
  const [whole = "0", fractional = ""] = (negative ? text.slice(1) : text).split(".");
  const denominator = 10n ** BigInt(fractional.length);
  const magnitude = BigInt(whole) * denominator + BigInt(fractional === "" ? "0" : fractional);
  return { numerator: negative ? -magnitude : magnitude, denominator };
}

/** Rounds numerator/denominator to the nearest integer, ties away from zero. */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new Error("denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  const rounded = remainder * 2n >= denominator ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

export function toSafeNumber(amount: bigint): number {
  const value = Number(amount);
  if (!Number.isSafeInteger(value)) throw new Error(`amount out of range: ${amount}`);
  return value;
}

/** unit × quantity, rounded to the minor unit; both may be decimal strings. */
export function extendedAmount(unitAmountDecimal: string, quantityDecimal: string): number {
  const unit = fractionFromDecimal(unitAmountDecimal);
  const quantity = fractionFromDecimal(quantityDecimal);
  return toSafeNumber(
    roundHalfAwayFromZero(unit.numerator * quantity.numerator, unit.denominator * quantity.denominator),
  );
}

export interface ProrationInput {
  unitAmountDecimal: string;
  quantity: number;
  remainingSeconds: number;
  periodSeconds: number;
}

/** Stripe's proration to the second: unit × quantity × remaining / period, rounded half away from zero. */
export function prorate(input: ProrationInput): number {
  if (input.periodSeconds <= 0) throw new Error("period must be positive");
  const remaining = Math.min(Math.max(input.remainingSeconds, 0), input.periodSeconds);
  const unit = fractionFromDecimal(input.unitAmountDecimal);
  return toSafeNumber(
    roundHalfAwayFromZero(
      unit.numerator * BigInt(input.quantity) * BigInt(remaining),
      unit.denominator * BigInt(input.periodSeconds),
    ),
  );
}
