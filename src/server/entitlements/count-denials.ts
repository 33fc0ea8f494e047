import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { textArray, uuidArray } from "@/server/ledger/sql-arrays";
import type { EntitlementReason } from "./evaluate-entitlement";

/** The refusals worth counting: the customer hit a limit (not a typo in a feature key). */
export const countedDenialReasons: ReadonlySet<EntitlementReason> = new Set(["allowance_exhausted", "spend_limit_reached", "subscription_inactive"]);

const hourMs = 3_600_000;
/** Distinct (hour, customer, feature, reason) keys held between flushes; past it, new keys wait for the next flush. */
const pendingKeysMax = 50_000;
const pending = new Map<string, number>();

/**
 * Counts one refused check in memory (a map increment: the check's hot path writes nothing). The
 * flush worker adds the counts to `entitlement_denial_counts` every few seconds.
 */
export function countDenial(customerId: string, featureKey: string, reason: EntitlementReason, at: Date): void {
  if (!countedDenialReasons.has(reason)) return;
  const hour = Math.floor(at.getTime() / hourMs) * hourMs;
  const key = `${hour}|${customerId}|${reason}|${featureKey}`;
  const current = pending.get(key);
  if (current !== undefined) pending.set(key, current + 1);
  else if (pending.size < pendingKeysMax) pending.set(key, 1);
}

/** Writes and forgets the counted refusals; on failure they are kept for the next flush. Returns the keys written. */
export async function flushDenialCounts(db: Db): Promise<number> {
  if (pending.size === 0) return 0;
  const batch = [...pending.entries()];
  pending.clear();
  const hours: string[] = [];
  const customers: string[] = [];
  const reasons: string[] = [];
  const features: string[] = [];
  const counts: string[] = [];
  for (const [key, count] of batch) {
    const [hour, customerId, reason, ...feature] = key.split("|");
    hours.push(new Date(Number(hour)).toISOString());
    customers.push(customerId!);
    reasons.push(reason!);
    features.push(feature.join("|"));
    counts.push(String(count));
  }
  try {
    await executeRows(
      db,
      sql`insert into entitlement_denial_counts as d (hour, customer_id, feature_key, reason, count)
          select h::timestamptz, c, f, r, n::bigint
          from unnest(${textArray(hours)}, ${uuidArray(customers)}, ${textArray(features)}, ${textArray(reasons)}, ${textArray(counts)}) as t(h, c, f, r, n)
          order by c, h, f, r
          on conflict (customer_id, hour, feature_key, reason) do update set count = d.count + excluded.count`,
    );
  } catch (error) {
    for (const [key, count] of batch) pending.set(key, (pending.get(key) ?? 0) + count);
    throw error;
  }
  return batch.length;
}

/** Flushes the counted refusals every 5 s in every server process (runs return 0 so the loop sleeps between flushes). */
export const entitlementDenialFlushWorker = {
  name: "entitlements:denial-counts",
  idleMs: 5_000,
  runOnce: async ({ db }: { db: Db }) => {
    await flushDenialCounts(db);
    return 0;
  },
};
