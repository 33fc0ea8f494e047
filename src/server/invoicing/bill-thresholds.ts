import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { BillingInterval } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { periodContaining } from "@/server/customers/billing-period";
import { runIsolated, type ItemFailure } from "@/server/jobs/item-failures";
import { closeBatchMax, closePeriods } from "./close-periods";
import type { CloseRequest } from "./compute-invoice-drafts";

export const billThresholdsInput = z.object({
  batchSize: z.number().int().min(1).max(closeBatchMax).default(200),
  subscriptionIds: z.array(z.uuid()).max(1_000).optional(),
});
export type BillThresholdsInput = z.input<typeof billThresholdsInput>;

export type BillThresholdsResult = {
  subscriptionsChecked: number;
  invoicesCreated: number;
  belowThreshold: number;
  invoiceIds: string[];
  /** Subscriptions that could not be checked (e.g. usage that cannot be rated); the others were. */
  failed: ItemFailure[];
  /** The items this run processed (for resolving earlier failures). */
  processedKeys: string[];
};

export const thresholdItemKey = (subscriptionId: string) => `subscription:${subscriptionId}:threshold`;

const hourMs = 3_600_000;
const pageSize = 2_000;
const pagesMax = 10_000;

type Row = { id: string; billing_anchor: string | Date; billing_interval: BillingInterval; threshold_micros: string };

/**
 * Threshold billing: a live subscription whose unbilled usage in the current period reaches its
 * threshold (`billing_settings` row of its plan version, else the `global` row; none = off) is
 * invoiced at once for [period start, last complete rollup hour), as a `threshold` invoice
 * rated by the same code as the period close. What it bills is recorded in `billed_usage`, so
 * the period-end invoice bills only the rest, tiers continuing where this one stopped.
 * A subscription that fails (its usage cannot be rated, ...) is returned in `failed` and the
 * rest of its batch is billed.
 */
export async function billThresholds(db: Db, rawInput: BillThresholdsInput, options: { clock: Clock; actor: Actor; log?: (message: string) => void }): Promise<BillThresholdsResult> {
  const input = billThresholdsInput.parse(rawInput);
  const now = options.clock.now();
  const cutoff = new Date(Math.floor(now.getTime() / hourMs) * hourMs);
  const result: BillThresholdsResult = { subscriptionsChecked: 0, invoicesCreated: 0, belowThreshold: 0, invoiceIds: [], failed: [], processedKeys: [] };
  let afterId = "00000000-0000-0000-0000-000000000000";
  for (let page = 0; page < pagesMax; page++) {
    const rows = await executeRows<Row>(
      db,
      sql`select s.id, s.billing_anchor, v.billing_interval, coalesce(plan.threshold_micros, global.threshold_micros)::text as threshold_micros
          from subscriptions s
          join catalog_plan_versions v on v.id = s.plan_version_id
          left join billing_settings plan on plan.key = s.plan_version_id::text
          left join billing_settings global on global.key = 'global'
          where s.status in ('active', 'trialing', 'past_due') and s.id > ${afterId}::uuid
            and coalesce(plan.threshold_micros, global.threshold_micros) is not null
            ${input.subscriptionIds ? sql`and s.id = any(${`{${input.subscriptionIds.join(",")}}`}::uuid[])` : sql``}
          order by s.id limit ${pageSize}`,
    );
    const thresholds = new Map(rows.map((row) => [row.id, BigInt(row.threshold_micros)]));
    const requests: CloseRequest[] = [];
    for (const row of rows) {
      const period = periodContaining(new Date(row.billing_anchor), row.billing_interval, now);
      if (cutoff > period.start) requests.push({ subscriptionId: row.id, kind: "threshold", period: { start: period.start, end: period.end }, cutoff });
    }
    for (let offset = 0; offset < requests.length; offset += input.batchSize) {
      // A batch that fails is run one subscription at a time: one bad subscription is recorded, the others are billed.
      const { results: outcomes, failures } = await runIsolated(
        requests.slice(offset, offset + input.batchSize),
        (batch) => closePeriods(db, batch, { ...options, minimumUsageMicros: (id) => thresholds.get(id) ?? null }),
        (request) => thresholdItemKey(request.subscriptionId),
      );
      result.failed.push(...failures);
      for (const outcome of outcomes) {
        result.processedKeys.push(thresholdItemKey(outcome.subscriptionId));
        if (outcome.status === "created" && outcome.invoiceId) {
          result.invoicesCreated += 1;
          result.invoiceIds.push(outcome.invoiceId);
        } else if (outcome.status === "below_threshold") result.belowThreshold += 1;
      }
    }
    result.subscriptionsChecked += rows.length;
    options.log?.(`checked ${result.subscriptionsChecked} subscriptions: ${result.invoicesCreated} threshold invoices, ${result.failed.length} failed`);
    if (rows.length < pageSize) break;
    afterId = rows[rows.length - 1]!.id;
  }
  return result;
}
