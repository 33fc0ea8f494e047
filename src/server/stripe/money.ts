import { DomainError } from "@/server/errors";

/**
 * The one place where Stripe's amounts (integers in the currency's minor unit) and Tally's
 * amounts (bigint micro-units, 1 unit = 1,000,000) meet. Everything else in the stripe domain
 * calls these two functions.
 */

const microsPerUnit = 1_000_000n;

/** Stripe's zero-decimal currencies: the amount is in whole units (¥500 is `500`). */
const zeroDecimal = new Set(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]);
/** Three-decimal currencies: Stripe counts in thousandths (Stripe asks the last digit to be 0). */
const threeDecimal = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);

/** Decimal places of Stripe's minor unit for `currency` (ISO 4217, any case). */
export function stripeMinorUnitDecimals(currency: string): 0 | 2 | 3 {
  const code = currency.toLowerCase();
  if (!/^[a-z]{3}$/.test(code)) throw new DomainError("invalid", "currency_invalid", `"${currency}" is not an ISO 4217 currency code.`);
  if (zeroDecimal.has(code)) return 0;
  if (threeDecimal.has(code)) return 3;
  return 2;
}

function microsPerMinorUnit(currency: string): bigint {
  return microsPerUnit / 10n ** BigInt(stripeMinorUnitDecimals(currency));
}

/**
 * A Stripe amount → micro-units, exactly. Stripe's JSON numbers are integers; anything else
 * (a fraction, an unsafe integer) is a programmer error, not a rounding question.
 */
export function stripeMinorToMicros(amount: number | bigint, currency: string): bigint {
  if (typeof amount === "number" && !Number.isSafeInteger(amount)) {
    throw new DomainError("invalid", "stripe_amount_invalid", `Stripe amount ${amount} is not a whole number of minor units.`);
  }
  return BigInt(amount) * microsPerMinorUnit(currency);
}

/**
 * Micro-units → a Stripe amount. Refuses an amount that is not a whole number of minor units:
 * rounding to cents happens once per invoice line in invoicing (with the remainder posted to
 * `rounding`), never silently here.
 */
export function microsToStripeMinor(micros: bigint, currency: string): bigint {
  const per = microsPerMinorUnit(currency);
  if (micros % per !== 0n) {
    throw new DomainError(
      "invalid",
      "amount_not_representable_in_stripe",
      `${micros} micro-units of ${currency.toUpperCase()} is not a whole number of Stripe minor units (${per} micro-units each); round it before sending it to Stripe.`,
    );
  }
  return micros / per;
}

/** For the SDK's `number` parameters: a minor-unit bigint that fits exactly. */
export function minorToSdkNumber(minor: bigint): number {
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainError("too_large", "stripe_amount_too_large", `${minor} minor units is too large for Stripe.`);
  }
  return Number(minor);
}
