import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";

/**
 * A loop that must keep up within seconds (metering rollups, the webhook inbox). It runs inside
 * every server process and claims work from PostgreSQL (FOR UPDATE SKIP LOCKED), so several
 * instances cooperate and none is required. `runOnce` returns how many items it handled; the
 * runner polls again while there is work — at once, or, with `busyMs`, starting runs at most
 * every `busyMs` so each takes a larger batch — and sleeps `idleMs` when there is none.
 */
export type Worker = {
  name: string;
  idleMs: number;
  /** While there is work, the least time from one run's start to the next (default 0: at once). */
  busyMs?: number;
  runOnce: (context: { db: Db; clock: Clock }) => Promise<number>;
};
