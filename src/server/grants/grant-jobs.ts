import type { JobDefinition } from "@/server/jobs/types";
import { expireGrants } from "./expire-grants";

export const grantJobs: JobDefinition[] = [
  {
    name: "grants:expire",
    description: "Move the unused remainder of expired credit grants out of their accounts (bounded per run)",
    run: async ({ db, clock, log }) => {
      const result = await expireGrants(db, clock);
      log(`${result.grantsExpired} grants expired in ${result.batches} batches${result.more ? "; more remain" : ""}`);
      return { ...result };
    },
  },
];
