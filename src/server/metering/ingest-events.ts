import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { executePreparedRows } from "@/db/execute-prepared";
import { unsafeTextKind } from "@/lib/safe-text";
import { systemClock, type Clock } from "@/server/clock";
import { ingestLimits, type RejectCode } from "./ingest-limits";
import { getMeterValueRules, type MeterValueRules } from "./meter-values";
import { recordSubjectRejections, subjectRejectionKey, type SubjectRejections } from "./record-subject-rejections";
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

export type IngestEventsOptions = {
  clock?: Clock;
  /**
   * The meters' value paths to check values against (meter-values.ts); default the catalog's.
   * An empty map stores values unchecked, as events were stored before the check existed
   * (tests of how the rollups treat such values).
   */
  meterValueRules?: MeterValueRules;
};

/**
 * Counter rows per minute. Batches of one process take them round-robin from a random start, so
 * concurrent batches rarely share a row lock, and consecutive batches of one process never do
 * (a batch whose transaction is still open would otherwise block the next one).
 */
const counterShards = 16;
let nextCounterShard = Math.floor(Math.random() * counterShards);

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
  const meterRules = options.meterValueRules ?? (await getMeterValueRules(db));
  const results: IngestEventResult[] = new Array(events.length);
  const firstIndexByKey = new Map<string, number>();
  const candidates: { index: number; event: ValidCloudEvent }[] = [];
  const rejectedByCode: Partial<Record<RejectCode, number>> = {};
  const rejectedBySubject: SubjectRejections = new Map();
  let inBatchDuplicates = 0;

  events.forEach((item, index) => {
    const validation = validateCloudEvent(item, receivedAtMs, meterRules);
    if (!validation.ok) {
      const { id, source, code, message } = validation;
      results[index] = { index, id, source, status: "rejected", code, message };
      rejectedByCode[code] = (rejectedByCode[code] ?? 0) + 1;
      tallySubjectRejection(rejectedBySubject, item, code, message);
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
  if (rejectedBySubject.size > 0) await recordSubjectRejections(db, rejectedBySubject, new Date(receivedAtMs));
  let accepted = 0;
  for (const { index, event } of candidates) {
    const stored = storedKeys === "all" || (storedKeys !== "none" && storedKeys.has(dedupKey(event.source, event.id)));
    if (stored) accepted++;
    results[index] = { index, id: event.id, source: event.source, status: stored ? "accepted" : "duplicate" };
  }
  const rejected = Object.values(rejectedByCode).reduce((sum, count) => sum + count, 0);
  return { results, accepted, duplicates: events.length - accepted - rejected, rejected };
}

/** A rejected event that still named a subject counts against it (what support sees for that customer). */
function tallySubjectRejection(tally: SubjectRejections, item: unknown, code: RejectCode, message: string): void {
  const subject = typeof item === "object" && item !== null ? (item as { subject?: unknown }).subject : undefined;
  // A subject PostgreSQL cannot store (NUL, unpaired surrogate) is the rejection itself: not recorded.
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 256 || unsafeTextKind(subject) !== null) return;
  const key = subjectRejectionKey(subject, code);
  const entry = tally.get(key);
  if (entry) entry.count += 1;
  else tally.set(key, { code, count: 1, message });
}

function dedupKey(source: string, id: string): string {
  return `${source.length}:${source}${id}`;
}

/**
 * Whether the last batch of this process was stored whole. While batches keep being new (the
 * usual case), the next one tries the plain insert first; after a batch with duplicates (a
 * client retrying), batches go straight to the statement that skips them, until one is new again.
 */
let lastBatchStoredWhole = true;

/**
 * One statement, one round trip, one commit: claim the dedup keys, store the events whose key
 * this statement claimed, with the customer resolved by external id (null if unknown) and marked
 * `late` when their time falls in usage the customer was already invoiced for, and bump the
 * ingestion counters. Returns the keys stored now ("all" or "none" when that is all of them
 * or none, the usual cases, so only a mixed batch sends its keys back); every other candidate was
 * already stored.
 *
 * Two forms of the statement, with the same outcome:
 * - `new` inserts every key plainly and stores every event. A key that exists (or that a
 *   concurrent batch holds) fails the whole statement with a unique violation, so nothing of the
 *   batch is stored, and the batch is stored again by `skip`. A plain insert costs PostgreSQL
 *   about a third less than ON CONFLICT's speculative insertion (bench/suites/ingest.ts).
 * - `skip` inserts the keys with ON CONFLICT DO NOTHING and stores only the events whose key it
 *   claimed.
 * Either way the keys are inserted in key order, so concurrent batches never deadlock.
 */
async function storeEvents(
  db: Db,
  candidates: { index: number; event: ValidCloudEvent }[],
  stats: { inBatchDuplicates: number; rejectedByCode: Partial<Record<RejectCode, number>> },
): Promise<Set<string> | "all" | "none"> {
  const payload = `[${candidates.map(({ event }) => eventRecordJson(event)).join(",")}]`;
  const shard = nextCounterShard;
  nextCounterShard = (nextCounterShard + 1) % counterShards;
  const counters = { payload, shard, candidateCount: candidates.length, offered: candidates.length + stats.inBatchDuplicates, rejectedJson: JSON.stringify(stats.rejectedByCode) };
  // Inside a caller's transaction a failed statement would abort it: there, only `skip`.
  if (lastBatchStoredWhole && candidates.length > 0 && !(db instanceof PgTransaction)) {
    try {
      await executePreparedRows(db, storeStatement("new", counters));
      return "all";
    } catch (error) {
      if (!isUniqueViolation(error, "usage_event_keys_source_event_id_pk")) throw error;
    }
  }
  const [row] = await executePreparedRows<{ claimed: string | number; keys: [string, string][] | string | null }>(db, storeStatement("skip", counters));
  const claimed = Number(row?.claimed ?? 0);
  lastBatchStoredWhole = claimed === candidates.length;
  if (claimed === candidates.length) return "all";
  if (claimed === 0) return "none";
  const keys = typeof row?.keys === "string" ? (JSON.parse(row.keys) as [string, string][]) : (row?.keys ?? []);
  return new Set(keys.map(([source, id]) => dedupKey(source, id)));
}

type StoreCounters = { payload: string; shard: number; candidateCount: number; offered: number; rejectedJson: string };

function storeStatement(form: "new" | "skip", { payload, shard, candidateCount, offered, rejectedJson }: StoreCounters) {
  // `new` needs no keys back: the statement either stores the whole batch or fails.
  const claimKeys =
    form === "new"
      ? sql`insert into usage_event_keys (source, event_id, occurred_at) select source, id, time from input order by source, id`
      : sql`insert into usage_event_keys (source, event_id, occurred_at) select source, id, time from input order by source, id
            on conflict do nothing returning source, event_id`;
  const storedInput = form === "new" ? sql`input e` : sql`input e join claimed k on k.source = e.source and k.event_id = e.id`;
  const result =
    form === "new"
      ? sql`select count(*) as claimed, null as keys from stored`
      : sql`select count(*) as claimed,
             case when count(*) > 0 and count(*) < ${candidateCount} then json_agg(json_build_array(source, event_id)) end as keys
            from claimed`;
  return sql`
      with input as (
        -- data read as text and cast: json_to_recordset's own conversion to jsonb takes twice as long.
        select source, id, type, subject, time, data::jsonb as data from json_to_recordset(${payload}::json)
          as e(source text, id text, type text, subject text, time timestamptz, data text)
      ),
      claimed as (${claimKeys}),
      stored as (
        insert into usage_events (source, event_id, type, subject, customer_id, occurred_at, data, late)
        select e.source, e.id, e.type, e.subject, c.id, e.time, e.data, coalesce(e.time < c.usage_invoiced_through, false)
        from ${storedInput}
        left join customers c on c.external_id = e.subject
        returning customer_id, late
      ),
      counted as (
        insert into metering_ingest_counters as counters (minute, shard, accepted, duplicates, unknown_customer, late, rejected)
        select date_trunc('minute', now()), ${shard}, count(*), ${offered}::bigint - count(*),
               count(*) filter (where customer_id is null), count(*) filter (where late), ${rejectedJson}::jsonb
        from stored
        on conflict (minute, shard) do update set
          accepted = counters.accepted + excluded.accepted,
          duplicates = counters.duplicates + excluded.duplicates,
          unknown_customer = counters.unknown_customer + excluded.unknown_customer,
          late = counters.late + excluded.late,
          rejected = tally_jsonb_sum(counters.rejected, excluded.rejected)
      )
      ${result}`;
}

function eventRecordJson(event: ValidCloudEvent): string {
  const head = JSON.stringify({ source: event.source, id: event.id, type: event.type, subject: event.subject, time: event.time });
  return `${head.slice(0, -1)},"data":${event.dataJson}}`;
}
