import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type IngestionRatePoint = {
  /** UTC start of the bucket. */
  bucketStart: Date;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Accepted events per minute, averaged over the bucket: what the console charts. */
  acceptedPerMinute: number;
};

export type ListIngestionRateInput = { since: Date; until: Date; bucketMinutes: number };

/** A chart needs tens of points, not thousands: more buckets than this is a caller's mistake. */
export const ingestionRateBucketsMax = 500;

/**
 * Ingestion per time bucket from the per-minute counters written by ingestEvents, every bucket
 * of [since, until) present (empty ones as zeros) so a chart shows gaps as quiet, not missing.
 */
export async function listIngestionRate(db: Db, input: ListIngestionRateInput): Promise<IngestionRatePoint[]> {
  const bucketMs = input.bucketMinutes * 60_000;
  if (!Number.isInteger(input.bucketMinutes) || input.bucketMinutes < 1) throw new Error("bucketMinutes must be a positive whole number");
  const firstMs = Math.floor(input.since.getTime() / bucketMs) * bucketMs;
  const endMs = input.until.getTime();
  const buckets = Math.ceil((endMs - firstMs) / bucketMs);
  if (buckets < 1 || buckets > ingestionRateBucketsMax) {
    throw new Error(`listIngestionRate: ${buckets} buckets; use a range of 1 to ${ingestionRateBucketsMax} buckets`);
  }
  const rows = await executeRows<{ bucket_ms: string | number; accepted: string; duplicates: string; rejected: string }>(
    db,
    sql`select floor(extract(epoch from minute) * 1000 / ${bucketMs})::bigint * ${bucketMs} as bucket_ms,
               sum(accepted)::text as accepted, sum(duplicates)::text as duplicates,
               sum((select coalesce(sum(value::bigint), 0) from jsonb_each_text(rejected)))::text as rejected
        from metering_ingest_counters
        where minute >= ${new Date(firstMs).toISOString()}::timestamptz and minute < ${new Date(endMs).toISOString()}::timestamptz
        group by 1`,
  );
  const byBucket = new Map(rows.map((row) => [Number(row.bucket_ms), row]));
  return Array.from({ length: buckets }, (_, index) => {
    const startMs = firstMs + index * bucketMs;
    const row = byBucket.get(startMs);
    const accepted = Number(row?.accepted ?? 0);
    return {
      bucketStart: new Date(startMs),
      accepted,
      duplicates: Number(row?.duplicates ?? 0),
      rejected: Number(row?.rejected ?? 0),
      acceptedPerMinute: accepted / input.bucketMinutes,
    };
  });
}
