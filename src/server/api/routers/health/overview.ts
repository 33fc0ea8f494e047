import { z } from "zod";
import { jobs } from "@/server/jobs/registry";
import { getBillingHealth, healthRanges } from "@/server/observability/get-billing-health";
import { authorizedProcedure } from "../../trpc";

/** Billing health over the last hour or day: charts with current values and thresholds, jobs, accuracy, open discrepancies. */
export const overview = authorizedProcedure("insights.read")
  .input(z.object({ range: z.enum(healthRanges).default("hour") }))
  .query(({ ctx, input }) => getBillingHealth(ctx.db, { range: input.range, now: ctx.clock.now(), jobNames: jobs.map((job) => job.name) }));
