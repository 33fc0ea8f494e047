import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { readDatabaseGauges } from "./database-gauges";
import { logger } from "./logger";
import { metricsRegistry } from "./metrics";
import "./tally-metrics";

/*
 * Once a minute each server process adds what it counted since its last sample (entitlement
 * checks by result and latency bucket, Stripe API errors, retries and 429s, webhook failures) to
 * that minute's `health_samples` row, and the database gauges (rollup backlog, webhook inbox,
 * open discrepancies) are written into it: the Billing health page reads one row per minute.
 * Samples older than `retentionDays` are dropped.
 */

export const healthSampleIntervalMs = 60_000;
export const healthRetentionDays = 8;

type MetricValue = { value: number; labels: Record<string, string | number>; metricName?: string };

/** The counters of this process now, flattened to `name{label=value}` keys the page reads. */
async function readCounters(): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  const add = (key: string, value: number) => values.set(key, (values.get(key) ?? 0) + value);
  const read = async (name: string): Promise<MetricValue[]> => {
    const metric = metricsRegistry.getSingleMetric(name);
    return metric ? ((await metric.get()).values as MetricValue[]) : [];
  };
  for (const sample of await read("tally_entitlement_checks_total")) add(`checks.${sample.labels.result}`, sample.value);
  for (const sample of await read("tally_entitlement_check_duration_seconds")) {
    if (sample.metricName?.endsWith("_bucket")) add(`check_le.${sample.labels.le}`, sample.value);
  }
  for (const sample of await read("tally_stripe_api_requests_total")) {
    add("stripe.requests", sample.value);
    if (sample.labels.outcome !== "success" && sample.labels.outcome !== "client_error") add("stripe.errors", sample.value);
  }
  for (const sample of await read("tally_stripe_api_retries_total")) add("stripe.retries", sample.value);
  for (const sample of await read("tally_stripe_api_rate_limited_total")) add("stripe.rate_limited", sample.value);
  for (const sample of await read("tally_stripe_webhook_events_processed_total")) {
    if (sample.labels.outcome !== "processed") add("webhooks.failed", sample.value);
  }
  return values;
}

/** Per process: the counters at the last sample, so each sample adds only what is new. */
const lastKey = Symbol.for("tally.observability.healthSampler.last");
const holder = globalThis as Record<symbol, unknown>;

export async function sampleHealth(db: Db, options: { now: Date; jobNames?: readonly string[] }): Promise<{ minute: Date }> {
  const minute = new Date(Math.floor(options.now.getTime() / 60_000) * 60_000);
  const current = await readCounters();
  const last = (holder[lastKey] as Map<string, number> | undefined) ?? new Map<string, number>();
  const deltas: Record<string, number> = {};
  for (const [key, value] of current) {
    const delta = value - (last.get(key) ?? 0);
    if (delta > 0) deltas[key] = delta;
  }
  holder[lastKey] = current;
  const gauges = await readDatabaseGauges(db, { jobNames: options.jobNames ?? [] });
  const gaugeValues: Record<string, number> = {
    "rollup.backlog": gauges.rollupBacklogEvents,
    "rollup.oldest_age_s": gauges.rollupOldestPendingAgeSeconds,
    "webhooks.pending": gauges.webhookInboxByStatus.pending,
    "webhooks.failed_waiting": gauges.webhookInboxByStatus.failed,
    "webhooks.parked": gauges.webhookInboxByStatus.parked,
    "webhooks.oldest_age_s": gauges.webhookOldestPendingAgeSeconds,
  };
  for (const [kind, open] of Object.entries(gauges.openDiscrepanciesByKind)) gaugeValues[`discrepancies.${kind}`] = open.count;
  await executeRows(
    db,
    sql`insert into health_samples as h (minute, counters, gauges)
        values (${minute.toISOString()}::timestamptz, ${JSON.stringify(deltas)}::jsonb, ${JSON.stringify(gaugeValues)}::jsonb)
        on conflict (minute) do update set
          counters = (select coalesce(jsonb_object_agg(key, total), '{}'::jsonb) from (
                        select key, sum(value::numeric) as total from (
                          select * from jsonb_each_text(h.counters) union all select * from jsonb_each_text(excluded.counters)) each
                        group by key) summed),
          gauges = excluded.gauges`,
  );
  await executeRows(db, sql`delete from health_samples where minute < ${new Date(options.now.getTime() - healthRetentionDays * 86_400_000).toISOString()}::timestamptz`);
  return { minute };
}

/** The sampler as a worker: every process, once a minute. */
export function createHealthSampleWorker(jobNames: () => readonly string[]) {
  return {
    name: "observability:health-sample",
    idleMs: healthSampleIntervalMs,
    runOnce: async ({ db, clock }: { db: Db; clock: { now(): Date } }) => {
      try {
        await sampleHealth(db, { now: clock.now(), jobNames: jobNames() });
      } catch (error) {
        logger.warn({ err: error, component: "health" }, "could not sample billing health");
      }
      return 0;
    },
  };
}
