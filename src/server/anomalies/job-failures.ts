import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { AnomalyCandidate } from "./candidate";

/** The job names as people read them in the queue. */
const jobLabels: Record<string, string> = {
  "invoicing:close": "Period close",
  "invoicing:thresholds": "Threshold invoicing",
  "grants:expire": "Credit expiry",
  "subscriptions:apply-scheduled-changes": "Scheduled plan change",
  "dunning:enforce": "Dunning",
};

/**
 * `job_failure` anomalies: every open item failure a billing job recorded (job_item_failures: a
 * batch job that could not process one subscription, grant or dunning case records it and finishes
 * the rest). One anomaly per (job, item), for the item's customer where the item names one; it
 * clears by itself once a later run processes the item (the failure row is resolved), and stays
 * high until then, since money is not being billed or collected for that item.
 */
export async function detectJobFailures(db: Db, input: { customerIds?: readonly string[]; asOf: Date }): Promise<AnomalyCandidate[]> {
  const only = input.customerIds === undefined ? sql`true` : sql`owner.customer_id = any(${`{${input.customerIds.join(",")}}`}::uuid[])`;
  const rows = await executeRows<{ job: string; item_key: string; code: string; message: string; attempts: number; first_failed_at: string | Date; last_failed_at: string | Date; customer_id: string | null; currency: string | null }>(
    db,
    sql`with failures as (
          select f.*, (regexp_match(f.item_key, '^([a-z_]+):([0-9a-f-]{36})'))[1] as item_type,
                 (regexp_match(f.item_key, '^([a-z_]+):([0-9a-f-]{36})'))[2]::uuid as item_id
          from job_item_failures f where f.resolved_at is null
        )
        select f.job, f.item_key, f.code, f.message, f.attempts, f.first_failed_at, f.last_failed_at, owner.customer_id::text as customer_id, c.currency
        from failures f
        left join lateral (
          select case f.item_type
                   when 'subscription' then (select s.customer_id from subscriptions s where s.id = f.item_id)
                   when 'grant' then (select g.customer_id from credit_grants g where g.id = f.item_id)
                   when 'dunning_case' then (select d.customer_id from dunning_cases d where d.id = f.item_id)
                   when 'scheduled_change' then (select s.customer_id from subscription_scheduled_changes sc join subscriptions s on s.id = sc.subscription_id where sc.id = f.item_id)
                 end as customer_id
        ) owner on true
        left join customer_summaries c on c.customer_id = owner.customer_id
        where ${only}
        order by f.last_failed_at desc
        limit 10000`,
  );
  return rows.map((row): AnomalyCandidate => {
    const job = jobLabels[row.job] ?? row.job;
    const attempts = Number(row.attempts);
    return {
      kind: "job_failure",
      customerId: row.customer_id,
      subject: `job:${row.job}:${row.item_key}`,
      windowStart: new Date(row.first_failed_at),
      windowEnd: input.asOf,
      title: `${job} failed for ${row.item_key}${attempts > 1 ? ` (${attempts} runs)` : ""}: ${row.code} — ${row.message}`.slice(0, 500),
      observed: null,
      expected: null,
      impactMicros: null,
      currency: row.currency ?? "usd",
      severityFloor: "high",
      evidence: { source: "job_item_failures", job: row.job, itemKey: row.item_key, code: row.code, message: row.message, attempts, firstFailedAt: new Date(row.first_failed_at).toISOString(), lastFailedAt: new Date(row.last_failed_at).toISOString() },
    };
  });
}
