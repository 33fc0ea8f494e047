import { systemActor } from "@/server/audit/actor";
import { recordItemFailures, type ItemFailure } from "@/server/jobs/item-failures";
import type { JobDefinition } from "@/server/jobs/types";
import { applyDueScheduledChanges } from "./change-subscription";

const roundsMax = 100;

export const subscriptionJobs: JobDefinition[] = [
  {
    name: "subscriptions:apply-scheduled-changes",
    description: "Apply plan and seat changes scheduled for the period end (closes the ending period first)",
    run: async ({ db, clock, log }) => {
      let applied = 0;
      const failed: ItemFailure[] = [];
      const skipChangeIds = new Set<string>();
      const finish = async (summary: Record<string, unknown>) => {
        await recordItemFailures(db, "subscriptions:apply-scheduled-changes", failed, { now: clock.now() });
        for (const failure of failed) log(`${failure.itemKey}: ${failure.code}: ${failure.message}`);
        return { ...summary, applied, failed };
      };
      for (let round = 0; round < roundsMax; round++) {
        const result = await applyDueScheduledChanges(db, systemActor("subscriptions:apply-scheduled-changes"), clock, { limit: 500, skipChangeIds });
        applied += result.applied.length;
        failed.push(...result.failed);
        for (const failure of result.failed) skipChangeIds.add(failure.itemKey.slice("scheduled_change:".length));
        if (result.due < 500) return finish({ ok: failed.length === 0 });
      }
      return finish({ ok: false, message: `still applying after ${roundsMax} rounds` });
    },
  },
];
