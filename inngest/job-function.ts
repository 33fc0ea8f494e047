import type { Db } from "@/db/client";
import { getDb } from "@/db/client";
import { systemClock, type Clock } from "@/server/clock";
import { runJob } from "@/server/jobs/run-job";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { logger } from "@/server/observability";
import { inngest } from "./client";

type Trigger = { cron: string } | { event: string };

export type JobFunctionOptions = {
  job: JobDefinition;
  trigger: Trigger;
  retries?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
  /** Tests pass their own database and clock; the server uses the process database. */
  context?: () => Promise<{ db: Db; clock: Clock }>;
};

/**
 * The convention for background work: an Inngest function is a thin wrapper that runs one
 * registered job (the same domain function `npm run job -- <name>` runs) inside one step
 * with a stable id, so a retried function does not redo a finished step.
 */
export function createJobFunction({ job, trigger, retries = 3, context }: JobFunctionOptions) {
  return inngest.createFunction(
    {
      id: job.name.replace(/[^a-z0-9-]/gi, "-"),
      name: job.description,
      retries,
      concurrency: { limit: 1 },
      triggers: [trigger],
    },
    async ({ event, step, runId }) => {
      const args = (event?.data && typeof event.data === "object" ? event.data : {}) as JobArgs;
      return step.run(job.name, async () => {
        const { db, clock } = context ? await context() : { db: await getDb(), clock: systemClock };
        const log = logger.child({ component: "jobs" });
        return runJob(job, { db, clock, log: (message) => log.info(message) }, args, { requestId: `job_${runId}` });
      });
    },
  );
}
