import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { verifyRollups } from "@/server/metering/verify-rollups";
import type { FoundDiscrepancy, ReconciliationScope } from "./discrepancy";

/** Raw events ↔ hourly rollups over the window (metering:verify), one discrepancy per differing window (up to 50 a run). */
export async function findEventRollupDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const result = await verifyRollups(db, { from: scope.from, to: scope.to });
  return result.examples.map((example) => {
    const window = example.windowStart.toISOString();
    const dimensions = JSON.stringify(example.dimensions);
    return {
      kind: "events_rollups" as const,
      key: `events_rollups:${example.meterId}:${example.subject}:${window}:${dimensions}`,
      objects: { meterId: example.meterId, subject: example.subject, windowStart: window, dimensions },
      unit: "events" as const,
      expected: String(example.recomputed?.events ?? 0),
      actual: String(example.stored?.events ?? 0),
      description: `Rollup hour ${window} of ${example.subject} holds ${example.stored?.events ?? 0} events; the raw events say ${example.recomputed?.events ?? 0}.`,
      periodStart: example.windowStart,
      periodEnd: new Date(example.windowStart.getTime() + 3_600_000),
    };
  });
}

type BilledRow = {
  subscription_id: string;
  customer_id: string;
  external_id: string;
  period_start: Date | string;
  period_end: Date | string;
  meter_key: string;
  group_key: string;
  billed: string;
  used: string;
  last_invoice_id: string;
  unexplained: boolean;
};

/**
 * Rollups ↔ billed usage: for every closed period in the window, each billed group's quantity
 * (`billed_usage`, what the period's invoices billed in all, late usage included) must equal the
 * rollups' quantity for that customer, meter and group. More usage than billed is a discrepancy
 * only once the rollups have not changed since the last bill (usage that arrived later is billed
 * as late usage on the next invoice); less usage than billed always is. Count and sum meters
 * (max, latest and unique_count are not additive per window and are left to metering:verify).
 */
export async function findRollupInvoiceDiscrepancies(db: Db, scope: ReconciliationScope): Promise<FoundDiscrepancy[]> {
  const rows = await executeRows<BilledRow>(
    db,
    sql`with billed as (
          select b.*, s.customer_id, c.external_id, m.id as meter_id, m.aggregation,
                 (select key from jsonb_object_keys(b.dimensions) key limit 1) as dimension
          from billed_usage b
          join subscriptions s on s.id = b.subscription_id
          join customers c on c.id = s.customer_id
          join catalog_meters m on m.key = b.meter_key
          where b.period_end >= ${scope.from.toISOString()}::timestamptz and b.period_end < ${scope.to.toISOString()}::timestamptz
            and b.period_end <= ${scope.now.toISOString()}::timestamptz
            and m.aggregation in ('count', 'sum')
        )
        select b.subscription_id, b.customer_id, b.external_id, b.period_start, b.period_end, b.meter_key, b.group_key,
               b.usage_quantity::text as billed, coalesce(u.quantity, 0)::text as used, b.last_invoice_id,
               (coalesce(u.quantity, 0) < b.usage_quantity or coalesce(u.updated_at <= b.billed_at, true)) as unexplained
        from billed b
        left join lateral (
          select case when b.aggregation = 'count' then sum(r.events) else sum(r.sum_value) end as quantity, max(r.updated_at) as updated_at
          from usage_rollups r
          where r.meter_id = b.meter_id and r.subject = b.external_id
            and r.window_start >= b.period_start and r.window_start < b.period_end
            and (b.dimension is null or r.dimensions ->> b.dimension = b.dimensions ->> b.dimension)
        ) u on true
        where coalesce(u.quantity, 0) <> b.usage_quantity`,
  );
  return rows
    .filter((row) => row.unexplained)
    .map((row) => ({
      kind: "rollups_invoices" as const,
      key: `rollups_invoices:${row.subscription_id}:${new Date(row.period_start).toISOString()}:${row.meter_key}:${row.group_key}`,
      customerId: row.customer_id,
      invoiceId: row.last_invoice_id,
      objects: { subscriptionId: row.subscription_id, meterKey: row.meter_key, group: row.group_key, invoiceId: row.last_invoice_id, customer: row.external_id },
      unit: "quantity" as const,
      expected: row.used,
      actual: row.billed,
      description: `${row.external_id}: ${row.meter_key}${row.group_key ? ` (${row.group_key})` : ""} billed ${row.billed} for the period, the rollups hold ${row.used}.`,
      periodStart: new Date(row.period_start),
      periodEnd: new Date(row.period_end),
    }));
}
