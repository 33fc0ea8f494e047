import { DomainError } from "@/server/errors";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import type { Worker } from "@/server/workers/types";
import { runQueuedPlanSimulations, simulationBatchMaxForRuns } from "./run-plan-simulation";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function runIdArg(args: JobArgs): string | undefined {
  const value = args.run;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !uuidPattern.test(value)) throw new DomainError("invalid", "invalid_argument", "--run must be a simulation run's id (a uuid, shown on its results page).");
  return value;
}

function batchSizeArg(args: JobArgs): number | undefined {
  const value = args["batch-size"];
  if (value === undefined || value === true) return undefined;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > simulationBatchMaxForRuns) throw new DomainError("invalid", "invalid_argument", `--batch-size must be a whole number from 1 to ${simulationBatchMaxForRuns}.`);
  return size;
}

/** Runs per job invocation; the rest wait for the next one (or the worker). */
const runsPerJobMax = 20;

export const planSimulationJob: JobDefinition = {
  name: "invoicing:plan-simulations",
  description: "Compute queued plan simulation runs (or --run <id>), and re-claim runs whose worker went away",
  run: async ({ db, log }, args) => {
    const runId = runIdArg(args);
    const results = await runQueuedPlanSimulations(db, { runId, runsMax: runsPerJobMax }, { batchSize: batchSizeArg(args) });
    for (const result of results) if (result.status !== "nothing_to_claim") log(`run ${result.runId}: ${result.status}, ${result.subscriptions} subscriptions in ${result.batches} batches`);
    return { runs: results, ok: results.every((result) => result.status !== "failed") };
  },
};

/**
 * Registered in src/server/workers/registry.ts: every server process computes queued runs, so the
 * console's simulations finish without Inngest (development, PGlite). The claim (SKIP LOCKED,
 * fenced by attempt) keeps it, the job and the Inngest function from computing one run twice.
 */
export const planSimulationWorker: Worker = {
  name: "invoicing:plan-simulations",
  idleMs: 1000,
  runOnce: async ({ db }) => (await runQueuedPlanSimulations(db, { runsMax: 1 })).length,
};
