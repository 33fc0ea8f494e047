import { z } from "zod";
import { startPlanSimulation } from "@/server/invoicing/start-plan-simulation";
import { notifyPlanSimulationStarted } from "~/inngest/functions/invoicing-plan-simulation";
import { authorizedProcedure } from "../../trpc";

/**
 * Queues a simulation of one version on the customers of another (a preview before publishing);
 * the answer is the run, computed in the background (Inngest when configured, else the server's
 * worker or `npm run job -- invoicing:plan-simulations`).
 */
export const planSimulationStart = authorizedProcedure("catalog.write")
  .input(z.object({ currentVersionId: z.uuid(), proposedVersionId: z.uuid() }))
  .mutation(async ({ ctx, input }) => {
    const { run, created } = await startPlanSimulation(ctx.db, { ...input, requestedBy: ctx.actor.label }, { clock: ctx.clock });
    if (created) notifyPlanSimulationStarted(run.id);
    return { runId: run.id, status: run.status, created };
  });
