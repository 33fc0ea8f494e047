import { z } from "zod";
import type { Db } from "@/db/client";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { itemFailure } from "@/server/jobs/item-failures";
import { closeBatchMax, closePeriods, type ClosePeriodResult } from "./close-periods";
import { createDueOpeningInvoices } from "./create-opening-invoice";
import { duePeriodsPerSubscriptionMax, listDuePeriods, type DueSubscription } from "./list-due-periods";

export const closeDuePeriodsInput = z.object({
  until: z.date(),
  /** Subscriptions per database transaction. */
  batchSize: z.number().int().min(1).max(closeBatchMax).default(200),
  subscriptionIds: z.array(z.uuid()).max(1_000).optional(),
  /** Subscriptions read per page. */
  pageSize: z.number().int().min(1).max(5_000).default(2_000),
});

export type CloseDuePeriodsInput = z.input<typeof closeDuePeriodsInput>;

export type CloseFailure = { subscriptionId: string; periodStart: Date; code: string; message: string };

/** The key of one period of one subscription in `job_item_failures`. */
export const closeItemKey = (subscriptionId: string, periodStart: Date) => `subscription:${subscriptionId}:period:${periodStart.toISOString()}`;

export type CloseDuePeriodsResult = {
  subscriptionsScanned: number;
  periodsDue: number;
  created: number;
  exists: number;
  skipped: number;
  failed: CloseFailure[];
  /** closeItemKey of every period this run closed or found closed (resolves earlier failures). */
  processedKeys: string[];
  totalMicros: bigint;
  /** Opening invoices created for trials that ended by `until` (not counted in `created`). */
  opened: number;
};

const pagesMax = 10_000;

/**
 * Closes every billing period that ended at or before `until` and has no invoice yet: pages of
 * subscriptions, then, round by round (each subscription's oldest due period first, so late
 * usage and base fees follow period order), batches of subscriptions per database transaction.
 * A batch that fails is retried one subscription at a time so one bad subscription cannot hold
 * back the others; its later periods wait for the next run. Idempotent: a period already closed
 * (by an earlier or a concurrent run) counts as `exists`.
 */
export async function closeDuePeriods(
  db: Db,
  rawInput: CloseDuePeriodsInput,
  options: { clock: Clock; actor: Actor; log?: (message: string) => void },
): Promise<CloseDuePeriodsResult> {
  const input = closeDuePeriodsInput.parse(rawInput);
  if (input.until > options.clock.now()) throw new DomainError("invalid", "close_until_in_future", "Periods can only be closed once they have ended: `until` must not be in the future.");
  const log = options.log ?? (() => {});
  const result: CloseDuePeriodsResult = { subscriptionsScanned: 0, periodsDue: 0, created: 0, exists: 0, skipped: 0, failed: [], processedKeys: [], totalMicros: 0n, opened: 0 };
  // Trials that ended: the first billed period's fee (the opening invoice), before the periods close.
  const opening = await createDueOpeningInvoices(db, { until: input.until, subscriptionIds: input.subscriptionIds }, options);
  result.opened = opening.created;
  for (const failure of opening.failed) {
    result.failed.push({ subscriptionId: failure.subscriptionId, periodStart: input.until, code: "opening_invoice_failed", message: `opening invoice: ${failure.message}` });
  }
  let afterId: string | undefined;
  for (let page = 0; page < pagesMax; page++) {
    const due = await listDuePeriods(db, { until: input.until, subscriptionIds: input.subscriptionIds, afterId, limit: input.pageSize });
    result.subscriptionsScanned += due.scanned;
    result.periodsDue += due.subscriptions.reduce((sum, subscription) => sum + subscription.periods.length, 0);
    await closeRounds(db, due.subscriptions, input.batchSize, options, result, log);
    log(`scanned ${result.subscriptionsScanned} subscriptions: ${result.created} invoices created, ${result.exists} already closed, ${result.failed.length} failed`);
    if (!due.nextAfterId) break;
    afterId = due.nextAfterId;
  }
  return result;
}

async function closeRounds(
  db: Db,
  subscriptions: readonly DueSubscription[],
  batchSize: number,
  options: { clock: Clock; actor: Actor },
  result: CloseDuePeriodsResult,
  log: (message: string) => void,
): Promise<void> {
  const failed = new Set<string>();
  for (let round = 0; round < duePeriodsPerSubscriptionMax; round++) {
    const requests = subscriptions
      .filter((subscription) => subscription.periods[round] && !failed.has(subscription.subscriptionId))
      .map((subscription) => ({ subscriptionId: subscription.subscriptionId, kind: "period" as const, period: subscription.periods[round]! }));
    if (requests.length === 0) return;
    for (let offset = 0; offset < requests.length; offset += batchSize) {
      const batch = requests.slice(offset, offset + batchSize);
      const startedMs = Date.now();
      let outcomes: ClosePeriodResult[];
      try {
        outcomes = await closePeriods(db, batch, options);
      } catch {
        outcomes = [];
        for (const request of batch) {
          try {
            outcomes.push(...(await closePeriods(db, [request], options)));
          } catch (error) {
            failed.add(request.subscriptionId);
            const { code, message } = itemFailure(closeItemKey(request.subscriptionId, request.period.start), error);
            result.failed.push({ subscriptionId: request.subscriptionId, periodStart: request.period.start, code, message });
          }
        }
      }
      for (const outcome of outcomes) {
        if (outcome.status === "created" || outcome.status === "exists") result.processedKeys.push(closeItemKey(outcome.subscriptionId, outcome.periodStart));
        if (outcome.status === "created") {
          result.created += 1;
          result.totalMicros += outcome.totalMicros ?? 0n;
        } else if (outcome.status === "exists") result.exists += 1;
        else result.skipped += 1;
      }
      log(`round ${round + 1}: closed ${Math.min(offset + batchSize, requests.length)}/${requests.length} periods (${Date.now() - startedMs} ms)`);
    }
  }
}
