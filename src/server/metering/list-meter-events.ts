import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { DomainError } from "@/server/errors";
import { loadCompiledMeters, meterFilterConditionsSql } from "./rollup-sql";

export const listMeterEventsInput = z.object({
  /** The customer's external id, as events name it (`subject`). */
  externalId: z.string().min(1).max(256),
  meterKey: z.string().min(1).max(64),
  from: z.coerce.date(),
  to: z.coerce.date(),
  /** Group-by property path → value: only events of this dimension group (e.g. `{ model: "opus" }`). */
  dimensions: z.record(z.string().max(200), z.string().max(1_000)).default({}),
  limit: z.number().int().min(1).max(200).default(25),
  /** The last event of the previous page, in (occurred_at, seq) order. */
  cursor: z.object({ occurredAt: z.coerce.date(), seq: z.string().regex(/^[0-9]{1,19}$/) }).optional(),
});
export type ListMeterEventsInput = z.input<typeof listMeterEventsInput>;

export type MeterEvent = { seq: string; source: string; eventId: string; type: string; occurredAt: Date; ingestedAt: Date; late: boolean; data: Record<string, unknown> };
export type ListMeterEventsResult = { items: MeterEvent[]; nextCursor: { occurredAt: Date; seq: string } | null };

type Row = { seq: string; source: string; event_id: string; type: string; occurred_at: string | Date; ingested_at: string | Date; late: boolean; data: Record<string, unknown> | string };

/**
 * The raw events one meter read for one subject in [from, to) (and one dimension group), oldest
 * first, keyset-paged on (occurred_at, seq). Served by usage_events_subject_time_idx (subject,
 * occurred_at) on each monthly partition the range touches (partition pruning on occurred_at);
 * the meter's type, filters and the dimension values are checked on the rows the index returns,
 * and the page stops at `limit`, so a page costs about `limit` rows however many events the
 * customer has (plus the rows of other meters skipped over).
 */
export async function listMeterEvents(db: Db, rawInput: ListMeterEventsInput): Promise<ListMeterEventsResult> {
  const parsed = listMeterEventsInput.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("invalid", "invalid_events_query", `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"}`);
  }
  const input = parsed.data;
  if (input.from >= input.to) throw new DomainError("invalid", "invalid_events_query", "to must be after from.", undefined, { param: "to" });
  const meter = await getMeterByKey(db, input.meterKey);
  const conditions: SQL[] = [
    sql`e.subject = ${input.externalId}`,
    sql`e.occurred_at >= ${input.from.toISOString()}::timestamptz`,
    sql`e.occurred_at < ${input.to.toISOString()}::timestamptz`,
    sql`e.type = ${meter.eventType}::text`,
    ...meterFilterConditionsSql(meter),
    ...Object.entries(input.dimensions).map(([path, value]) => sql`e.data #>> string_to_array(${path}::text, '.') = ${value}::text`),
  ];
  if (input.cursor) conditions.push(sql`(e.occurred_at, e.seq) > (${input.cursor.occurredAt.toISOString()}::timestamptz, ${input.cursor.seq}::bigint)`);
  const rows = await executeRows<Row>(db, listSql(conditions, input.limit + 1));
  const items = rows.slice(0, input.limit).map(toEvent);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? { occurredAt: last.occurredAt, seq: last.seq } : null };
}

/** The statement (exported for the EXPLAIN in the test and the note). */
export function listSql(conditions: readonly SQL[], limit: number): SQL {
  return sql`select e.seq::text as seq, e.source, e.event_id, e.type, e.occurred_at, e.ingested_at, e.late, e.data
    from usage_events e
    where ${sql.join([...conditions], sql` and `)}
    order by e.occurred_at, e.seq
    limit ${limit}`;
}

async function getMeterByKey(db: Db, meterKey: string) {
  const [row] = await executeRows<{ id: string }>(db, sql`select id from catalog_meters where key = ${meterKey}`);
  if (!row) throw new DomainError("not_found", "meter_not_found", `No meter has key ${meterKey}.`);
  const meter = (await loadCompiledMeters(db)).find((each) => each.id === row.id);
  if (!meter) throw new DomainError("not_found", "meter_not_found", `No meter has key ${meterKey}.`);
  return meter;
}

function toEvent(row: Row): MeterEvent {
  return {
    seq: row.seq,
    source: row.source,
    eventId: row.event_id,
    type: row.type,
    occurredAt: new Date(row.occurred_at),
    ingestedAt: new Date(row.ingested_at),
    late: row.late,
    data: typeof row.data === "string" ? (JSON.parse(row.data) as Record<string, unknown>) : row.data,
  };
}

/**
 * How many events the rollups counted for one subject, meter and dimension group in [from, to)
 * (whole hours): the size of what listMeterEvents pages through, without counting raw events.
 */
export async function countMeterEvents(db: Db, input: { externalId: string; meterKey: string; from: Date; to: Date; dimensions: Record<string, string> }): Promise<number> {
  const [row] = await executeRows<{ events: string | null }>(
    db,
    sql`select sum(r.events)::text as events
        from usage_rollups r join catalog_meters m on m.id = r.meter_id
        where m.key = ${input.meterKey} and r.subject = ${input.externalId}
          and r.window_start >= ${input.from.toISOString()}::timestamptz and r.window_start < ${input.to.toISOString()}::timestamptz
          and r.dimensions @> ${JSON.stringify(input.dimensions)}::jsonb`,
  );
  return Number(row?.events ?? 0);
}
