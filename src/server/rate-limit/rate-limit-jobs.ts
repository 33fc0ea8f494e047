import type { JobDefinition } from "@/server/jobs/types";
import type { Worker } from "@/server/workers/types";
import { pruneRateLimits } from "./prune-rate-limits";

export const rateLimitJobs: JobDefinition[] = [
  {
    name: "rate-limit:prune",
    description: "Delete rate-limit keys whose allowance is full again (keeps the table to the keys in use)",
    async run({ db, clock, log }) {
      const result = await pruneRateLimits(db, { clock });
      log(`deleted ${result.deleted} keys in ${result.batches} batches`);
      return { ok: true, ...result };
    },
  },
];

/** Every server process prunes once a minute (deletes are idempotent, so instances never conflict). */
export const rateLimitPruneWorker: Worker = {
  name: "rate-limit-prune",
  idleMs: 60_000,
  busyMs: 1_000,
  async runOnce({ db }) {
    const result = await pruneRateLimits(db, { batchesMax: 10 });
    // A backlog is worked off a second apart; otherwise once a minute is plenty.
    return result.complete ? 0 : result.deleted;
  },
};
