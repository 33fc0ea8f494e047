import { DomainError } from "@/server/errors";
import { Decimal, isDecimalString } from "@/server/pricing/decimal";

/*
 * A period's usage as read from the rollups, checked before anyone rates it. Ingestion refuses
 * values a meter cannot aggregate (meter-values.ts) and the rollups ignore them, so a total is
 * always a sum of values in [0, 10^15) with at most 12 decimal places — unless its rollup rows
 * were written before those checks (a value of 1e50, or negative). Such a total must neither
 * throw where it is read (an entitlement check, the customer page) nor be billed as if it were
 * true: readers get it with its problem named, and `metering:verify --repair` rewrites the rows
 * from the raw events under today's rule.
 */

export type UsageQuantityProblem = "negative" | "too_large" | "too_precise" | "not_a_number";

/** A total the pricing engine rates exactly: below 10^27 with at most 12 decimal places (≤ 40 characters). */
export const usageQuantityLimit = new Decimal("1e27");
const decimalPlacesMax = 12;

export type CheckedUsageQuantity = {
  /** The total as an exact decimal string, "0" for a negative or unreadable one, truncated to 12 places. */
  quantity: string;
  problem: UsageQuantityProblem | null;
};

/** Checks a total read from the rollups (numeric as text; null is no usage). */
export function checkUsageQuantity(text: string | null | undefined): CheckedUsageQuantity {
  if (text === null || text === undefined) return { quantity: "0", problem: null };
  let value: Decimal;
  try {
    value = new Decimal(text);
  } catch {
    return { quantity: "0", problem: "not_a_number" };
  }
  if (!value.isFinite()) return { quantity: "0", problem: "not_a_number" };
  if (value.isNegative() && !value.isZero()) return { quantity: "0", problem: "negative" };
  const truncated = value.toDecimalPlaces(decimalPlacesMax, Decimal.ROUND_DOWN);
  const quantity = truncated.toFixed();
  if (!truncated.equals(value)) return { quantity, problem: "too_precise" };
  if (value.gte(usageQuantityLimit) || !isDecimalString(quantity)) return { quantity, problem: "too_large" };
  return { quantity, problem: null };
}

const problemWords: Record<UsageQuantityProblem, string> = {
  negative: "is negative",
  too_large: "is 10^27 or more",
  too_precise: "has more than 12 decimal places",
  not_a_number: "is not a number",
};

/**
 * The error for a total that cannot be billed: an invoice for it waits until the rollups are
 * repaired (the close records it as a failure of that subscription and goes on with the others).
 */
export function usageOutOfRange(details: { subject: string; meterKey: string; quantity: string; problem: UsageQuantityProblem }): DomainError {
  return new DomainError(
    "precondition",
    "usage_out_of_range",
    `The usage of meter ${details.meterKey} for customer ${details.subject} ${problemWords[details.problem]} (${details.quantity.slice(0, 48)}): ` +
      "its rollups hold values stored before ingestion checked them. Run `npm run job -- metering:verify --repair` for the period, then retry.",
    { ...details, quantity: details.quantity.slice(0, 64) },
  );
}
