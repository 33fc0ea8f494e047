/** Micro-units per cent (the minor unit of every currency Tally bills today: usd, eur, gbp). */
export const microsPerCent = 10_000n;

/**
 * Integer division rounding half to even ("banker's rounding"): the one rounding rule of
 * invoicing, the same as the pricing engine's, so remainders do not drift one way over many
 * lines. Works for negative numerators (credit and discount lines) symmetrically.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("divideHalfEven: denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  const twice = remainder * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * An invoice line's amount in cents: rounded once, half to even at the cent. What is left
 * (micro-units below a cent) is summed per invoice and posted to the `rounding` account, so the
 * receivable in the ledger is exactly the invoice's cent total, which is what Stripe charges.
 */
export function microsToCents(amountMicros: bigint): bigint {
  return divideHalfEven(amountMicros, microsPerCent);
}

/** Money crossing JSON: micro-units as a string. */
export function microsString(amountMicros: bigint): string {
  return amountMicros.toString();
}
