import { systemActor } from "@/server/audit/actor";
import type { JobDefinition } from "@/server/jobs/types";
import { applyDueScheduledChanges } from "./change-subscription";

const roundsMax = 100;

export const subscriptionJobs: JobDefinition[] = [
  {
    name: "subscriptions:apply-scheduled-changes",
    description: "Apply plan and seat changes scheduled for the period end (closes the ending period first)",
    run: async ({ db, clock }) => {
      let applied = 0;
      for (let round = 0; round < roundsMax; round++) {
        const result = await applyDueScheduledChanges(db, systemActor("subscriptions:apply-scheduled-changes"), clock, { limit: 500 });
        applied += result.applied.length;
        if (result.due < 500) return { ok: true, applied };
      }
      return { ok: false, applied, message: `still applying after ${roundsMax} rounds` };
    },
  },
];
