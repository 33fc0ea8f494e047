import type { JobDefinition } from "@/server/jobs/types";
import { enforceBatchMax, enforceDunning } from "./enforce-dunning";

const roundsMax = 100;

export const dunningJobs: JobDefinition[] = [
  {
    name: "dunning:enforce",
    description: "Restrict usage-based features of customers whose failed payment is past its grace period",
    run: async ({ db, clock }) => {
      let restricted = 0;
      for (let round = 0; round < roundsMax; round++) {
        const result = await enforceDunning(db, clock, { limit: enforceBatchMax });
        restricted += result.restricted;
        if (result.due < enforceBatchMax) return { ok: true, restricted };
      }
      return { ok: false, restricted, message: `still enforcing after ${roundsMax} rounds` };
    },
  },
];
