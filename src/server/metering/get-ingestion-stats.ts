import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemClock, type Clock } from "@/server/clock";

export type IngestionStats = {
  since: Date;
  until: Date;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Accepted events whose subject named no customer (stored with customer_id null). */
  unknownCustomer: number;
  /** Accepted events for time their customer was already invoiced for (billed as late usage on the next invoice). */
  late: number;
  acceptedPerSecond: number;
  /** ingested_at → present in rollups. Percentiles are upper bounds within 10% (log-scale histogram). */
  lag: { samples: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
};

const rangeDaysMax = 31;

/**
 * Ingestion and metering-lag figures since `since` (whole minutes; at most 31 days), from the
 * per-minute counters written by ingestEvents and the lag histogram written by rollUpPending.
 * For the console and /api/metrics.
 */
export async function getIngestionStats(db: Db, options: { since: Date; clock?: Clock }): Promise<IngestionStats> {
  const until = (options.clock ?? systemClock).now();
  const since = new Date(Math.max(options.since.getTime(), until.getTime() - rangeDaysMax * 86_400_000));
  const sinceMinute = new Date(Math.floor(since.getTime() / 60_000) * 60_000).toISOString();
  const [counters] = await executeRows<{ accepted: string | null; duplicates: string | null; unknown_customer: string | null; late: string | null }>(
    db,
    sql`select sum(accepted) as accepted, sum(duplicates) as duplicates, sum(unknown_customer) as unknown_customer, sum(late) as late
        from metering_ingest_counters where minute >= ${sinceMinute}::timestamptz`,
  );
  const rejects = await executeRows<{ code: string; count: string }>(
    db,
    sql`select key as code, sum(value::bigint) as count
        from metering_ingest_counters, jsonb_each_text(rejected)
        where minute >= ${sinceMinute}::timestamptz group by key order by key`,
  );
  const buckets = await executeRows<{ bucket: number; count: string }>(
    db,
    sql`select bucket, sum(count) as count from metering_lag_histogram
        where minute >= ${sinceMinute}::timestamptz group by bucket order by bucket`,
  );
  const rejectedByCode = Object.fromEntries(rejects.map((row) => [row.code, Number(row.count)]));
  const accepted = Number(counters?.accepted ?? 0);
  const seconds = Math.max((until.getTime() - since.getTime()) / 1000, 1);
  return {
    since,
    until,
    accepted,
    duplicates: Number(counters?.duplicates ?? 0),
    rejected: Object.values(rejectedByCode).reduce((sum, count) => sum + count, 0),
    rejectedByCode,
    unknownCustomer: Number(counters?.unknown_customer ?? 0),
    late: Number(counters?.late ?? 0),
    acceptedPerSecond: accepted / seconds,
    lag: lagPercentiles(buckets.map((row) => ({ bucket: Number(row.bucket), count: Number(row.count) }))),
  };
}

/** Bucket b holds lags in [1.1^b, 1.1^(b+1)) ms; a percentile is reported as its bucket's upper bound. */
export function lagPercentiles(buckets: { bucket: number; count: number }[]): IngestionStats["lag"] {
  const samples = buckets.reduce((sum, each) => sum + each.count, 0);
  if (samples === 0) return { samples, p50Ms: null, p99Ms: null, maxMs: null };
  const upperMs = (bucket: number) => Math.round(1.1 ** (bucket + 1));
  const percentile = (fraction: number) => {
    const rank = Math.ceil(samples * fraction);
    let seen = 0;
    for (const each of buckets) {
      seen += each.count;
      if (seen >= rank) return upperMs(each.bucket);
    }
    return upperMs(buckets.at(-1)!.bucket);
  };
  return { samples, p50Ms: percentile(0.5), p99Ms: percentile(0.99), maxMs: upperMs(buckets.at(-1)!.bucket) };
}
