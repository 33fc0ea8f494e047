import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemClock, type Clock } from "@/server/clock";
import { ingestLimits, type RejectCode } from "./ingest-limits";
import { validateCloudEvent, type ValidCloudEvent } from "./validate-cloud-event";

export type IngestEventResult =
  | { index: number; id: string; source: string; status: "accepted" | "duplicate" }
  | { index: number; id: string | null; source: string | null; status: "rejected"; code: RejectCode; message: string };

export type IngestEventsResult = {
  /** One per input event, in request order. */
  results: IngestEventResult[];
  accepted: number;
  duplicates: number;
  rejected: number;
};

export type IngestEventsOptions = { clock?: Clock };

/** Counter rows per minute; a batch picks one at random so concurrent batches rarely share a row lock. */
const counterShards = 16;

/**
 * Validates each event on its own and stores the valid ones exactly once, keyed by
 * (source, id), in one statement (so one round trip and one commit): every accepted event is
 * durable when this returns, and any batch may be retried, concurrently, any number of times.
 * An event that repeats an earlier one (in an earlier batch, a concurrent retry, or earlier in
 * this batch) is a `duplicate`, whatever its content.
 */
export async function ingestEvents(db: Db, events: readonly unknown[], options: IngestEventsOptions = {}): Promise<IngestEventsResult> {
  if (events.length > ingestLimits.eventsPerRequestMax) {
    throw new Error(`ingestEvents takes at most ${ingestLimits.eventsPerRequestMax} events; the caller must refuse larger batches`);
  }
  const receivedAtMs = (options.clock ?? systemClock).now().getTime();
  const results: IngestEventResult[] = new Array(events.length);
  const firstIndexByKey = new Map<string, number>();
  const candidates: { index: number; event: ValidCloudEvent }[] = [];
  const rejectedByCode: Partial<Record<RejectCode, number>> = {};
  let inBatchDuplicates = 0;

  events.forEach((item, index) => {
    const validation = validateCloudEvent(item, receivedAtMs);
    if (!validation.ok) {
      const { id, source, code, message } = validation;
      results[index] = { index, id, source, status: "rejected", code, message };
      rejectedByCode[code] = (rejectedByCode[code] ?? 0) + 1;
      return;
    }
    const { event } = validation;
    const key = dedupKey(event.source, event.id);
    if (firstIndexByKey.has(key)) {
      results[index] = { index, id: event.id, source: event.source, status: "duplicate" };
      inBatchDuplicates++;
      return;
    }
    firstIndexByKey.set(key, index);
    candidates.push({ index, event });
  });

  const storedKeys = await storeEvents(db, candidates, { inBatchDuplicates, rejectedByCode });
  let accepted = 0;
  for (const { index, event } of candidates) {
    const stored = storedKeys.has(dedupKey(event.source, event.id));
    if (stored) accepted++;
    results[index] = { index, id: event.id, source: event.source, status: stored ? "accepted" : "duplicate" };
  }
  const rejected = Object.values(rejectedByCode).reduce((sum, count) => sum + count, 0);
  return { results, accepted, duplicates: events.length - accepted - rejected, rejected };
}

function dedupKey(source: string, id: string): string {
  return `${source.length}:${source}${id}`;
}

/**
 * One statement: claim the dedup keys (ON CONFLICT DO NOTHING, in key order so concurrent
 * batches never deadlock), store the events whose key this statement claimed, with the
 * customer resolved by external id (null if unknown), and bump the ingestion counters.
 * Returns the keys stored now; every other candidate was already stored.
 */
async function storeEvents(
  db: Db,
  candidates: { index: number; event: ValidCloudEvent }[],
  stats: { inBatchDuplicates: number; rejectedByCode: Partial<Record<RejectCode, number>> },
): Promise<Set<string>> {
  const payload = `[${candidates.map(({ event }) => eventRecordJson(event)).join(",")}]`;
  const shard = Math.floor(Math.random() * counterShards);
  const rows = await executeRows<{ source: string; event_id: string }>(
    db,
    sql`
      with input as (
        select * from json_to_recordset(${payload}::json)
          as e(source text, id text, type text, subject text, time timestamptz, data jsonb)
      ),
      claimed as (
        insert into usage_event_keys (source, event_id, occurred_at)
        select source, id, time from input order by source, id
        on conflict do nothing
        returning source, event_id
      ),
      stored as (
        insert into usage_events (source, event_id, type, subject, customer_id, occurred_at, data)
        select e.source, e.id, e.type, e.subject, c.id, e.time, e.data
        from input e
        join claimed k on k.source = e.source and k.event_id = e.id
        left join customers c on c.external_id = e.subject
        returning customer_id
      ),
      counted as (
        insert into metering_ingest_counters as counters (minute, shard, accepted, duplicates, unknown_customer, rejected)
        select date_trunc('minute', now()), ${shard}, count(*),
               ${candidates.length + stats.inBatchDuplicates}::bigint - count(*),
               count(*) filter (where customer_id is null), ${JSON.stringify(stats.rejectedByCode)}::jsonb
        from stored
        on conflict (minute, shard) do update set
          accepted = counters.accepted + excluded.accepted,
          duplicates = counters.duplicates + excluded.duplicates,
          unknown_customer = counters.unknown_customer + excluded.unknown_customer,
          rejected = tally_jsonb_sum(counters.rejected, excluded.rejected)
      )
      select source, event_id from claimed`,
  );
  return new Set(rows.map((row) => dedupKey(row.source, row.event_id)));
}

function eventRecordJson(event: ValidCloudEvent): string {
  const head = JSON.stringify({ source: event.source, id: event.id, type: event.type, subject: event.subject, time: event.time });
  return `${head.slice(0, -1)},"data":${event.dataJson}}`;
}
