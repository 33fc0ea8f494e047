import { z } from "zod";
import { listPlanVersionSummaries } from "@/server/catalog/list-plans";
import { authorizedProcedure } from "../../trpc";

/** One plan's versions, newest first. */
export const planVersions = authorizedProcedure("catalog.read")
  .input(z.object({ planId: z.uuid() }))
  .query(({ ctx, input }) => listPlanVersionSummaries(ctx.db, [input.planId]));
