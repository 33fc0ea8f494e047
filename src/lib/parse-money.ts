/**
 * A money amount typed by a person ("$1,234.56", "0.5") → micro-units as a string, exactly: the
 * digits are split at the decimal point and never pass through a floating-point number. Returns
 * null for anything that is not a positive amount with at most 6 decimals (`allowZero`: or zero,
 * for limits where 0 means "nothing without approval" or "no usage charges").
 */
export function parseMoneyToMicros(text: string, options: { allowZero?: boolean } = {}): string | null {
  const cleaned = text.trim().replace(/^\$/, "").replace(/,/g, "");
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(cleaned);
  if (!match) return null;
  const micros = BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? "").padEnd(6, "0"));
  return micros > 0n || (options.allowZero === true && micros === 0n) ? micros.toString() : null;
}
