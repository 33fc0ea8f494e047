import { z } from "zod";
import { listPlanSimulations } from "@/server/invoicing/list-plan-simulations";
import { authorizedProcedure } from "../../trpc";

/** The simulation runs of one proposed version, newest first, paged. */
export const planSimulationList = authorizedProcedure("catalog.write")
  .input(z.object({ proposedVersionId: z.uuid(), cursor: z.string().max(1000).optional(), limit: z.number().int().min(1).max(100).default(20) }))
  .query(({ ctx, input }) => listPlanSimulations(ctx.db, input));
