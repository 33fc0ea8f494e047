import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { logger, withRequestContext } from "@/server/observability";
import type { Worker } from "./types";

const workerLog = logger.child({ component: "workers" });

export type RunningWorkers = { stop: () => Promise<void> };

const errorBackoffMs = 5_000;

export function runWorkers(workers: Worker[], context: { db: Db; clock: Clock; log: (message: string) => void }): RunningWorkers {
  const controller = new AbortController();
  const loops = workers.map((worker) => loop(worker, context, controller.signal));
  return {
    stop: async () => {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}

async function loop(worker: Worker, context: { db: Db; clock: Clock; log: (message: string) => void }, signal: AbortSignal) {
  while (!signal.aborted) {
    let delayMs = worker.idleMs;
    const startedMs = Date.now();
    try {
      // Each run has its own id, so the log lines and errors of one run can be told apart.
      const handled = await withRequestContext({ job: worker.name }, () => worker.runOnce(context));
      if (handled > 0) delayMs = Math.max(0, (worker.busyMs ?? 0) - (Date.now() - startedMs));
    } catch (error) {
      workerLog.error({ err: error, worker: worker.name, retryInMs: errorBackoffMs }, "worker run failed");
      context.log(`worker ${worker.name} failed, retrying in ${errorBackoffMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      delayMs = errorBackoffMs;
    }
    if (delayMs > 0) await sleep(delayMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
