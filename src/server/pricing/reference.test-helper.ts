/**
 * An independent reference for the tests: exact rationals on BigInt, written without
 * decimal.js, so the engine is checked against arithmetic it does not share.
 */
export type Rational = { n: bigint; d: bigint };

export function rational(text: string): Rational {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const [whole = "0", fraction = ""] = body.split(".");
  const n = BigInt(whole + fraction) * (negative ? -1n : 1n);
  return normalize({ n, d: 10n ** BigInt(fraction.length) });
}

export const ratInt = (value: bigint): Rational => ({ n: value, d: 1n });

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

function normalize(value: Rational): Rational {
  const divisor = gcd(value.n, value.d);
  return { n: value.n / divisor, d: value.d / divisor };
}

export const add = (a: Rational, b: Rational): Rational => normalize({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
export const sub = (a: Rational, b: Rational): Rational => add(a, { n: -b.n, d: b.d });
export const mul = (a: Rational, b: Rational): Rational => normalize({ n: a.n * b.n, d: a.d * b.d });
export const cmp = (a: Rational, b: Rational): number => {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
};
export const min = (a: Rational, b: Rational): Rational => (cmp(a, b) <= 0 ? a : b);
export const max = (a: Rational, b: Rational): Rational => (cmp(a, b) >= 0 ? a : b);
export const eq = (a: Rational, b: Rational): boolean => cmp(a, b) === 0;
export const zero: Rational = { n: 0n, d: 1n };

/** Ceiling of a non-negative rational. */
export function ceil(value: Rational): bigint {
  return (value.n + value.d - 1n) / value.d;
}

/** Major units → micro-units, half to even, for non-negative amounts. */
export function microsHalfEven(amountMajor: Rational): bigint {
  const scaled = mul(amountMajor, ratInt(1_000_000n));
  const quotient = scaled.n / scaled.d;
  const twiceRemainder = 2n * (scaled.n % scaled.d);
  if (twiceRemainder < scaled.d) return quotient;
  if (twiceRemainder > scaled.d) return quotient + 1n;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

export type RefTier = { upTo: Rational | null; unitPrice: Rational; flatMicros: bigint };

/** Per-tier (exact major-unit variable amount, flat micros) for a graduated price. */
export function graduatedParts(tiers: RefTier[], billable: Rational): { variable: Rational; flatMicros: bigint }[] {
  const parts: { variable: Rational; flatMicros: bigint }[] = [];
  let start = zero;
  for (const tier of tiers) {
    if (cmp(billable, start) <= 0) break;
    const end = tier.upTo === null ? billable : min(billable, tier.upTo);
    parts.push({ variable: mul(sub(end, start), tier.unitPrice), flatMicros: tier.flatMicros });
    if (tier.upTo === null) break;
    start = tier.upTo;
  }
  return parts;
}
