import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { hourMs } from "./robust";

export type SubjectRejection = { code: string; count: number; lastMessage: string | null; firstHour: string; lastHour: string };

/** Rejected events that named this subject, per reject code, since `since` (metering's per-subject counters). */
export async function readSubjectRejections(db: Db, subject: string, since: Date, until: Date): Promise<SubjectRejection[]> {
  const rows = await executeRows<{ code: string; count: string | number; last_message: string | null; first_hour: Date | string; last_hour: Date | string }>(
    db,
    sql`select code, sum(count) as count, (array_agg(last_message order by hour desc))[1] as last_message, min(hour) as first_hour, max(hour) as last_hour
        from metering_subject_rejections
        where subject = ${subject} and hour >= ${new Date(Math.floor(since.getTime() / hourMs) * hourMs).toISOString()}::timestamptz and hour <= ${until.toISOString()}::timestamptz
        group by code order by 2 desc limit 20`,
  );
  return rows.map((row) => ({ code: row.code, count: Number(row.count), lastMessage: row.last_message, firstHour: new Date(row.first_hour).toISOString(), lastHour: new Date(row.last_hour).toISOString() }));
}

export type UnknownSubjectCandidate = {
  subject: string;
  firstSeenAt: string;
  events: number;
  /** 0–1: how alike the subject and the customer's external id are (case, separators, edits). */
  similarity: number;
  /** First seen within a few hours of the stop. */
  startedNearStop: boolean;
  /** Strong enough to name as the cause: it began within hours of the stop, and its volume or its name matches. */
  likely: boolean;
};

const candidatesMax = 5;

type UnknownSubject = { subject: string; earlier: boolean };

/**
 * The unknown subjects (no customer has them as external id) that sent a meter's events since a
 * day, the 50 busiest, each marked when it sent any before that day. One read per meter and day
 * for a whole detection run: every drop finding of the run looks its candidates up here instead of
 * scanning every subject of the meter again (that scan made the run grow with customers squared).
 */
export class UnknownSubjectsCache {
  private readonly entries = new Map<string, Promise<UnknownSubject[]>>();

  constructor(private readonly db: Db) {}

  since(meterId: string, fromDay: string): Promise<UnknownSubject[]> {
    const key = `${meterId}|${fromDay}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = readUnknownSubjects(this.db, meterId, fromDay);
      this.entries.set(key, entry);
    }
    return entry;
  }
}

async function readUnknownSubjects(db: Db, meterId: string, fromDay: string): Promise<UnknownSubject[]> {
  const rows = await executeRows<{ subject: string; earlier: boolean }>(
    db,
    sql`with recent as (
          select d.subject from anomaly_usage_days d
          where d.meter_id = ${meterId} and d.day >= ${fromDay}::date
            and not exists (select 1 from customers c where c.external_id = d.subject)
          group by d.subject order by sum(d.events) desc limit 50
        )
        select r.subject, exists (select 1 from anomaly_usage_days e where e.meter_id = ${meterId} and e.subject = r.subject and e.day < ${fromDay}::date) as earlier
        from recent r`,
  );
  return rows.map((row) => ({ subject: row.subject, earlier: row.earlier }));
}

/**
 * Subjects that are no customer and began sending this meter's events around the time the
 * customer's stopped: the "events now arrive under a wrong subject" case. Found in the daily usage
 * of unknown subjects (read once per meter and day, `UnknownSubjectsCache`), then timed to the
 * hour on their rollups; ranked by timing, name likeness and volume against what the customer was
 * expected to send.
 */
export async function findUnknownSubjectCandidates(
  db: Db,
  input: { meterId: string; externalId: string; since: Date; expectedEvents: number; asOf: Date },
  cache: UnknownSubjectsCache = new UnknownSubjectsCache(db),
): Promise<UnknownSubjectCandidate[]> {
  const fromDay = new Date(input.since.getTime() - 24 * hourMs).toISOString().slice(0, 10);
  const unknown = (await cache.since(input.meterId, fromDay)).filter((each) => each.subject !== input.externalId);
  if (unknown.length === 0) return [];
  const earlier = new Map(unknown.map((each) => [each.subject, each.earlier]));
  const rows = await executeRows<{ subject: string; first_seen: Date | string; events: string | number }>(
    db,
    sql`select u.subject, min(u.window_start) as first_seen, sum(u.events) as events
        from usage_rollups u
        where u.meter_id = ${input.meterId} and u.subject in (${sql.join(unknown.map((each) => sql`${each.subject}`), sql`, `)})
          and u.window_start >= ${new Date(input.since.getTime() - 24 * hourMs).toISOString()}::timestamptz
        group by u.subject`,
  );
  const stopMs = input.since.getTime();
  return rows
    .map((row) => {
      const firstSeen = new Date(row.first_seen);
      const events = Number(row.events);
      const similarity = subjectSimilarity(row.subject, input.externalId);
      const startedNearStop = !earlier.get(row.subject) && Math.abs(firstSeen.getTime() - stopMs) <= 3 * hourMs;
      const volumeMatches = input.expectedEvents > 0 && events >= 0.2 * input.expectedEvents;
      return { subject: row.subject, firstSeenAt: firstSeen.toISOString(), events, similarity: Math.round(similarity * 100) / 100, startedNearStop, likely: startedNearStop && (volumeMatches || similarity >= 0.5) };
    })
    .sort((a, b) => Number(b.likely) - Number(a.likely) || Number(b.startedNearStop) - Number(a.startedNearStop) || b.similarity - a.similarity || b.events - a.events)
    .slice(0, candidatesMax);
}

/**
 * Likeness of two subjects, 0–1: 1 − edit distance / longer length over their normalized forms
 * (lower case, letters and digits only), with containment (one id inside the other) counted as 0.9.
 */
export function subjectSimilarity(left: string, right: string): number {
  const a = normalize(left);
  const b = normalize(right);
  if (a.length === 0 || b.length === 0) return 0;
  if (a === b) return 1;
  if ((a.length >= 4 && b.includes(a)) || (b.length >= 4 && a.includes(b))) return 0.9;
  const longest = Math.max(a.length, b.length);
  return Math.max(0, 1 - editDistance(a, b, longest) / longest);
}

function normalize(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function editDistance(a: string, b: string, cap: number): number {
  if (a.length > 256 || b.length > 256) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
