import { z } from "zod";
import { getPlanSimulation } from "@/server/invoicing/list-plan-simulations";
import { authorizedProcedure } from "../../trpc";

/** One simulation run: its progress while it runs, its totals and counts once done, its error if it failed. */
export const planSimulationGet = authorizedProcedure("catalog.write")
  .input(z.object({ runId: z.uuid() }))
  .query(({ ctx, input }) => getPlanSimulation(ctx.db, input));
