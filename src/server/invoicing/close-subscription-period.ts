import type { Db } from "@/db/client";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { closeDuePeriods, type CloseDuePeriodsResult } from "./close-due-periods";

export type CloseSubscriptionPeriodInput = { subscriptionId: string; until: Date };

/**
 * Closes one subscription's due periods (the per-subscription step of the Inngest fan-out, and
 * what a plan change or cancellation calls before it changes the subscription). One database
 * transaction per period; idempotent.
 */
export async function closeSubscriptionPeriod(
  db: Db,
  input: CloseSubscriptionPeriodInput,
  options: { clock: Clock; actor: Actor },
): Promise<CloseDuePeriodsResult> {
  return closeDuePeriods(db, { until: input.until, subscriptionIds: [input.subscriptionId], batchSize: 1 }, options);
}
