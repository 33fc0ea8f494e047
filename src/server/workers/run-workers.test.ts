import { describe, expect, it } from "vitest";
import { systemClock } from "@/server/clock";
import type { Db } from "@/db/client";
import { runWorkers } from "./run-workers";
import type { Worker } from "./types";

/** A worker that always has work and records when each run started. */
function busyWorker(busyMs?: number): { worker: Worker; startsMs: number[] } {
  const startsMs: number[] = [];
  const worker: Worker = {
    name: "test:busy",
    idleMs: 10_000,
    ...(busyMs === undefined ? {} : { busyMs }),
    runOnce: async () => {
      startsMs.push(performance.now());
      await new Promise((resolve) => setImmediate(resolve));
      return 1;
    },
  };
  return { worker, startsMs };
}

async function runFor(worker: Worker, ms: number): Promise<void> {
  const running = runWorkers([worker], { db: {} as Db, clock: systemClock, log: () => {} });
  await new Promise((resolve) => setTimeout(resolve, ms));
  await running.stop();
}

describe("runWorkers", () => {
  it("runs again at once while there is work, and with busyMs no sooner than busyMs after the last run started", async () => {
    const eager = busyWorker();
    await runFor(eager.worker, 200);
    expect(eager.startsMs.length).toBeGreaterThan(20);

    const paced = busyWorker(80);
    await runFor(paced.worker, 200);
    // Runs at 0, ≥80 and ≥160 ms: never more than three in 200 ms, each start ≥ 80 ms after the previous.
    expect(paced.startsMs.length).toBeGreaterThanOrEqual(2);
    expect(paced.startsMs.length).toBeLessThanOrEqual(3);
    for (let index = 1; index < paced.startsMs.length; index++) {
      // Node's timers count whole milliseconds, so a timer can fire up to ~1 ms early by performance.now().
      expect(paced.startsMs[index]! - paced.startsMs[index - 1]!).toBeGreaterThanOrEqual(78);
    }
  });
});
