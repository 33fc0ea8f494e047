import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";

/**
 * A loop that must keep up within seconds (metering rollups, the webhook inbox). It runs inside
 * every server process and claims work from PostgreSQL (FOR UPDATE SKIP LOCKED), so several
 * instances cooperate and none is required. `runOnce` returns how many items it handled; the
 * runner polls again at once while there is work, and sleeps `idleMs` when there is none.
 */
export type Worker = {
  name: string;
  idleMs: number;
  runOnce: (context: { db: Db; clock: Clock }) => Promise<number>;
};
