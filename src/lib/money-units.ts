/**
 * Cents for the public API's `*_cents` fields, beside the exact `*_micros` strings: micro-units
 * divided by 10,000, rounded half to even — invoicing's rule for a line's cents
 * (src/server/invoicing/money.ts), so an invoice's cents here are the stored ones. Tally bills in
 * two-decimal currencies (usd, eur, gbp).
 */
export function centsOf(amountMicros: bigint): number {
  const denominator = 10_000n;
  const negative = amountMicros < 0n;
  const magnitude = negative ? -amountMicros : amountMicros;
  let quotient = magnitude / denominator;
  const twice = (magnitude % denominator) * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n === 1n)) quotient += 1n;
  const cents = negative ? -quotient : quotient;
  if (cents > BigInt(Number.MAX_SAFE_INTEGER) || cents < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("amount too large for a JSON number of cents");
  return Number(cents);
}
