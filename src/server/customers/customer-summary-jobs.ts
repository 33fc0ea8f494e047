import type { JobDefinition } from "@/server/jobs/types";
import { refreshCustomerSummaries } from "./refresh-customer-summaries";

export const customerSummaryJobs: JobDefinition[] = [
  {
    name: "customers:refresh-summaries",
    description: "Recompute the customer list's month-to-date spend and repair its other columns",
    run: async ({ db, clock, log }) => {
      const result = await refreshCustomerSummaries(db, clock.now());
      log(`customer summaries: ${result.customers} rows changed (spend month ${result.spendMonth})`);
      return { ok: true, changed: result.customers, spendMonth: result.spendMonth };
    },
  },
];
