import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { jobRuns, type JobRun } from "@/db/schema";
import { logger } from "./logger";

const summaryBytesMax = 8_000;
const log = logger.child({ component: "jobs" });

function boundedSummary(summary: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(summary, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  if (text.length <= summaryBytesMax) return JSON.parse(text) as Record<string, unknown>;
  const scalars = Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).filter(([, value]) => typeof value !== "object" || value === null));
  return { ...scalars, truncated: true };
}

/** Records a job run's start; returns its id, or null when it could not be recorded (the job runs anyway). */
export async function recordJobStart(db: Db, input: { job: string; requestId: string; startedAt: Date }): Promise<string | null> {
  try {
    const [row] = await db.insert(jobRuns).values({ job: input.job, requestId: input.requestId, status: "running", startedAt: input.startedAt }).returning({ id: jobRuns.id });
    return row?.id ?? null;
  } catch (error) {
    log.warn({ err: error }, "could not record the job run's start");
    return null;
  }
}

export async function recordJobEnd(
  db: Db,
  runId: string | null,
  input: { status: "succeeded" | "failed"; finishedAt: Date; durationMs: number; error?: string; summary?: Record<string, unknown> },
): Promise<void> {
  if (!runId) return;
  try {
    await db
      .update(jobRuns)
      .set({
        status: input.status,
        finishedAt: input.finishedAt,
        durationMs: Math.round(input.durationMs),
        error: input.error?.slice(0, 2_000) ?? null,
        summary: input.summary ? boundedSummary(input.summary) : null,
      })
      .where(eq(jobRuns.id, runId));
  } catch (error) {
    log.warn({ err: error }, "could not record the job run's end");
  }
}

export type JobHealth = { job: string; lastSuccessAt: Date | null; lastFailureAt: Date | null; lastStatus: string | null; lastError: string | null; runs: number; failures: number };

/**
 * Per job: the last success and failure (one index lookup each), and the runs and failures since
 * `since` (a bounded range of the started-at index). For the health page and the metrics.
 */
export async function listJobHealth(db: Db, options: { jobs: readonly string[]; since: Date }): Promise<JobHealth[]> {
  if (options.jobs.length === 0) return [];
  const rows = await executeRows<{ job: string; last_success: Date | string | null; last_failure: Date | string | null; last_status: string | null; last_error: string | null; runs: string; failures: string }>(
    db,
    sql`select j.job,
          (select finished_at from job_runs r where r.job = j.job and r.status = 'succeeded' order by finished_at desc limit 1) as last_success,
          (select started_at from job_runs r where r.job = j.job and r.status = 'failed' order by started_at desc limit 1) as last_failure,
          last.status as last_status, last.error as last_error,
          (select count(*) from job_runs r where r.job = j.job and r.started_at >= ${options.since.toISOString()}::timestamptz) as runs,
          (select count(*) from job_runs r where r.job = j.job and r.started_at >= ${options.since.toISOString()}::timestamptz and r.status = 'failed') as failures
        from unnest(${`{${options.jobs.map((job) => `"${job.replaceAll('"', "")}"`).join(",")}}`}::text[]) as j(job)
        left join lateral (select status, error from job_runs r where r.job = j.job and r.status <> 'running' order by started_at desc limit 1) last on true
        order by j.job`,
  );
  const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));
  return rows.map((row) => ({
    job: row.job,
    lastSuccessAt: toDate(row.last_success),
    lastFailureAt: toDate(row.last_failure),
    lastStatus: row.last_status,
    lastError: row.last_error,
    runs: Number(row.runs),
    failures: Number(row.failures),
  }));
}

/** The latest finished runs of some jobs since a time, newest first, at most `limit` (≤ 200). */
export async function listRecentJobRuns(db: Db, options: { since: Date; jobs?: readonly string[]; limit?: number }): Promise<JobRun[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const conditions = [gte(jobRuns.startedAt, options.since)];
  if (options.jobs && options.jobs.length > 0) conditions.push(inArray(jobRuns.job, [...options.jobs]));
  return db.select().from(jobRuns).where(and(...conditions)).orderBy(desc(jobRuns.startedAt)).limit(limit);
}
