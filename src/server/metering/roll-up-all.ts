import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Clock } from "@/server/clock";
import { rollUpPending } from "./roll-up-pending";
import { rolledUpSql } from "./rollup-sql";

/**
 * Rolls up until every stored event is behind the cursor (the seed, tests and one-off jobs, which
 * must not close a period on half its usage). An empty claim alone does not mean done: events
 * behind a transaction still running anywhere in the cluster wait for it, so this waits too, up
 * to `timeoutMs`, then throws `rollups did not catch up in time`.
 */
export async function rollUpAll(db: Db, options: { timeoutMs?: number; clock?: Clock } = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let events = 0;
  while (Date.now() < deadline) {
    const result = await rollUpPending(db, { limit: 5_000, clock: options.clock });
    events += result.events;
    if (result.events > 0) continue;
    const [pending] = await executeRows<{ pending: boolean }>(db, sql`select exists (select 1 from usage_events where not ${rolledUpSql()}) as pending`);
    if (!pending?.pending) return events;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("rollups did not catch up in time");
}
