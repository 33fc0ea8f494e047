import { recordItemFailures } from "@/server/jobs/item-failures";
import type { JobDefinition } from "@/server/jobs/types";
import { expireGrants } from "./expire-grants";

export const grantJobs: JobDefinition[] = [
  {
    name: "grants:expire",
    description: "Move the unused remainder of expired credit grants out of their accounts (bounded per run)",
    run: async ({ db, clock, log }) => {
      const result = await expireGrants(db, clock);
      await recordItemFailures(db, "grants:expire", result.failed, { now: clock.now() });
      for (const failure of result.failed) log(`${failure.itemKey}: ${failure.code}: ${failure.message}`);
      log(`${result.grantsExpired} grants expired in ${result.batches} batches${result.more ? "; more remain" : ""}, ${result.failed.length} failed`);
      return { ok: result.failed.length === 0, ...result };
    },
  },
];
