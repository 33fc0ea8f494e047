import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { textArray } from "@/server/ledger/sql-arrays";
import type { RejectCode } from "./ingest-limits";

export type SubjectRejections = Map<string, { code: RejectCode; count: number; message: string }>;

/** Key of one (subject, code) pair in a batch's tally. */
export function subjectRejectionKey(subject: string, code: RejectCode): string {
  return `${code}\u0000${subject}`;
}

/**
 * Adds a batch's rejected events that named a subject to `metering_subject_rejections` (per hour,
 * subject and code, with the last message). Only batches with such rejections call it, so accepted
 * traffic pays nothing; one statement per batch.
 */
export async function recordSubjectRejections(db: Db, rejections: SubjectRejections, at: Date): Promise<void> {
  if (rejections.size === 0) return;
  const subjects: string[] = [];
  const codes: string[] = [];
  const counts: string[] = [];
  const messages: string[] = [];
  for (const [key, value] of rejections) {
    subjects.push(key.slice(key.indexOf("\u0000") + 1));
    codes.push(value.code);
    counts.push(String(value.count));
    messages.push(value.message.slice(0, 500));
  }
  await executeRows(
    db,
    sql`insert into metering_subject_rejections as r (hour, subject, code, count, last_message)
        select date_trunc('hour', ${at.toISOString()}::timestamptz), s, c, n::bigint, m
        from unnest(${textArray(subjects)}, ${textArray(codes)}, ${textArray(counts)}, ${textArray(messages)}) as t(s, c, n, m)
        order by s, c
        on conflict (subject, hour, code) do update set count = r.count + excluded.count, last_message = excluded.last_message`,
  );
}
