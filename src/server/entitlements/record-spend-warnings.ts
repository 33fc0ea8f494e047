import type { Db } from "@/db/client";
import type { BillingPeriod } from "@/server/customers/billing-period";
import { recordNotification } from "./record-notification";

/** Percentages of the spend limit at which a customer is warned, once per period each. */
export const defaultSpendWarningThresholdsPercent: readonly number[] = [50, 80, 100];

/**
 * Dedupe keys this process already recorded (or found recorded): a customer over 80% would
 * otherwise cost an INSERT on every check. Bounded; forgetting one only costs a no-op insert.
 */
const recordedKeys = new Set<string>();
const recordedKeysMax = 100_000;

export type SpendWarningInput = {
  customerId: string;
  period: BillingPeriod;
  currency: string;
  limitMicros: bigint;
  usedMicros: bigint;
  thresholdsPercent?: readonly number[];
};

/** Records a `spend_limit.warning` notification for each threshold the spend has reached this period. Returns how many were new. */
export async function recordSpendWarnings(db: Db, input: SpendWarningInput): Promise<number> {
  // A zero limit means "no usage-based charges": there is nothing to approach, so no warnings.
  if (input.limitMicros <= 0n) return 0;
  const thresholds = input.thresholdsPercent ?? defaultSpendWarningThresholdsPercent;
  let recorded = 0;
  for (const percent of thresholds.slice(0, 10)) {
    if (!Number.isInteger(percent) || percent < 1 || percent > 1000) throw new Error(`invalid spend warning threshold ${percent}`);
    // Integer arithmetic on micro-units: used / limit >= percent / 100.
    if (input.usedMicros * 100n < input.limitMicros * BigInt(percent)) continue;
    const dedupeKey = `spend_limit.warning:${input.customerId}:${input.period.start.toISOString()}:${percent}`;
    if (recordedKeys.has(dedupeKey)) continue;
    const created = await recordNotification(db, {
      customerId: input.customerId,
      kind: "spend_limit.warning",
      dedupeKey,
      payload: {
        thresholdPercent: percent,
        limitMicros: input.limitMicros.toString(),
        usedMicros: input.usedMicros.toString(),
        currency: input.currency,
        periodStart: input.period.start.toISOString(),
        periodEnd: input.period.end.toISOString(),
      },
    });
    if (created) recorded++;
    if (recordedKeys.size >= recordedKeysMax) recordedKeys.clear();
    recordedKeys.add(dedupeKey);
  }
  return recorded;
}
