import type { JobDefinition } from "@/server/jobs/types";
import { recordItemFailures, type ItemFailure } from "@/server/jobs/item-failures";
import { enforceBatchMax, enforceDunning } from "./enforce-dunning";

const roundsMax = 100;

export const dunningJobs: JobDefinition[] = [
  {
    name: "dunning:enforce",
    description: "Restrict usage-based features of customers whose failed payment is past its grace period",
    run: async ({ db, clock, log }) => {
      let restricted = 0;
      const failed: ItemFailure[] = [];
      const skipCaseIds = new Set<string>();
      const finish = async (summary: Record<string, unknown>) => {
        await recordItemFailures(db, "dunning:enforce", failed, { now: clock.now() });
        for (const failure of failed) log(`${failure.itemKey}: ${failure.code}: ${failure.message}`);
        return { ...summary, restricted, failed };
      };
      for (let round = 0; round < roundsMax; round++) {
        const result = await enforceDunning(db, clock, { limit: enforceBatchMax, skipCaseIds });
        restricted += result.restricted;
        failed.push(...result.failed);
        for (const failure of result.failed) skipCaseIds.add(failure.itemKey.slice("dunning_case:".length));
        if (result.due < enforceBatchMax) return finish({ ok: failed.length === 0 });
      }
      return finish({ ok: false, message: `still enforcing after ${roundsMax} rounds` });
    },
  },
];
