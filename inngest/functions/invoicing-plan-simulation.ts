import type { Db } from "@/db/client";
import { getDb } from "@/db/client";
import { runPlanSimulation } from "@/server/invoicing/run-plan-simulation";
import { inngest } from "../client";

type Context = () => Promise<{ db: Db }>;
const defaultContext: Context = async () => ({ db: await getDb() });

export const planSimulationStartedEvent = "invoicing/plan-simulation.started";

/**
 * `invoicing/plan-simulation.started` { runId }: computes the run the console just queued. Claims
 * it like the server's worker and `npm run job -- invoicing:plan-simulations` do (SKIP LOCKED,
 * fenced by attempt), so whichever gets there first computes it and the others find nothing; a
 * retry after a crash resumes from the last written batch once the run's heartbeat is stale.
 */
export function createInvoicingPlanSimulationFunction(context: Context = defaultContext) {
  return inngest.createFunction(
    {
      id: "invoicing-plan-simulation",
      name: "Compute a plan simulation run",
      retries: 2,
      concurrency: { limit: 2 },
      triggers: [{ event: planSimulationStartedEvent }],
    },
    async ({ event, step }) => {
      const runId = String((event.data as { runId?: unknown }).runId ?? "");
      return step.run("run", async () => {
        const { db } = await context();
        return runPlanSimulation(db, { runId });
      });
    },
  );
}

export const invoicingPlanSimulation = createInvoicingPlanSimulationFunction();

/**
 * Tells Inngest a run is queued, without making the console wait or fail: only when an Inngest
 * server is configured, never awaited, errors swallowed (the server's worker claims the run).
 */
export function notifyPlanSimulationStarted(runId: string): void {
  if (!process.env.INNGEST_EVENT_KEY && !process.env.INNGEST_DEV) return;
  inngest.send({ id: `plan-simulation-${runId}`, name: planSimulationStartedEvent, data: { runId } }).catch((error: unknown) => {
    console.warn(`[invoicing] could not notify Inngest of simulation run ${runId}; the server's worker or the job will compute it`, error instanceof Error ? error.message : error);
  });
}
