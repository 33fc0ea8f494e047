import { z } from "zod";
import { simulatePlanVersion } from "@/server/invoicing/simulate-plan-version";
import { authorizedProcedure } from "../../trpc";

/** What customers on one version would have paid last period under another: a preview before publishing. */
export const planVersionSimulate = authorizedProcedure("catalog.write")
  .input(z.object({ currentVersionId: z.uuid(), proposedVersionId: z.uuid() }))
  .mutation(({ ctx, input }) => simulatePlanVersion(ctx.db, input, { now: ctx.clock.now() }));
