import { getRequestId, logger, secondsSince, withRequestContext } from "@/server/observability";
import { recordJobEnd, recordJobStart } from "@/server/observability/job-runs";
import { jobDuration, jobRuns, ledgerVerifyDifferences } from "@/server/observability/tally-metrics";
import type { JobArgs, JobContext, JobDefinition } from "./types";

const jobLog = logger.child({ component: "jobs" });

/**
 * Runs one registered job the way every caller must (`npm run job`, the Inngest wrapper, tests):
 * inside a request context of its own (`job_...` id on every log line and error of the run),
 * logged and counted. A job that returns `ok: false` or throws is a failed run; the error is
 * logged with the run's id and thrown on.
 */
export async function runJob(job: JobDefinition, context: JobContext, args: JobArgs, options: { requestId?: string } = {}): Promise<Record<string, unknown>> {
  return withRequestContext({ job: job.name, ...(options.requestId ? { requestId: options.requestId } : {}) }, async () => {
    const startedMs = performance.now();
    jobLog.info({ args }, "job started");
    const runId = await recordJobStart(context.db, { job: job.name, requestId: getRequestId() ?? "", startedAt: new Date() });
    try {
      const result = await job.run(context, args);
      const outcome = result.ok === false ? "failed" : "succeeded";
      jobRuns.inc({ job: job.name, outcome });
      jobDuration.observe({ job: job.name }, secondsSince(startedMs));
      if (job.name === "ledger:verify" && typeof result.differenceCount === "number") ledgerVerifyDifferences.set(result.differenceCount);
      await recordJobEnd(context.db, runId, { status: outcome, finishedAt: new Date(), durationMs: performance.now() - startedMs, summary: result });
      if (outcome === "failed") jobLog.warn({ durationMs: Math.round(performance.now() - startedMs) }, "job finished with ok: false");
      else jobLog.info({ durationMs: Math.round(performance.now() - startedMs) }, "job succeeded");
      return result;
    } catch (error) {
      jobRuns.inc({ job: job.name, outcome: "failed" });
      jobDuration.observe({ job: job.name }, secondsSince(startedMs));
      await recordJobEnd(context.db, runId, { status: "failed", finishedAt: new Date(), durationMs: performance.now() - startedMs, error: error instanceof Error ? error.message : String(error) });
      jobLog.error({ err: error, durationMs: Math.round(performance.now() - startedMs) }, "job failed");
      throw error;
    }
  });
}
