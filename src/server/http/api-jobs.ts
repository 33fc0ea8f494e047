import type { JobDefinition } from "@/server/jobs/types";
import { pruneIdempotencyKeys, pruneOlderThan } from "./idempotency";
import { requestLogRetentionDays } from "./request-log";

export const apiJobs: JobDefinition[] = [
  {
    name: "api:prune",
    description: "Delete Idempotency-Keys older than 24 hours and API request log rows older than 30 days",
    run: async ({ db, clock }) => {
      const now = clock.now();
      const idempotencyKeys = await pruneIdempotencyKeys(db, now);
      const requestLog = await pruneOlderThan(db, "api_request_log", new Date(now.getTime() - requestLogRetentionDays * 86_400_000));
      return { ok: true, idempotencyKeys, requestLog };
    },
  },
];
