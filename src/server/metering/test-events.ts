import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { rollUpPending } from "./roll-up-pending";
import { rolledUpSql } from "./rollup-sql";

/** A valid CloudEvent for tests; override any attribute (undefined removes it). */
export function cloudEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    specversion: "1.0",
    id: crypto.randomUUID(),
    source: "test/edge",
    type: "api.request",
    subject: "cus_test",
    time: new Date().toISOString(),
    data: { tokens: 10, model: "small" },
    ...overrides,
  };
  for (const [key, value] of Object.entries(event)) if (value === undefined) delete event[key];
  return event;
}

/**
 * Rolls up until every stored event is behind the cursor. An empty claim alone does not mean
 * done: events behind a transaction still running anywhere in the cluster wait for it.
 */
export async function rollUpEverything(db: Db, options: { timeoutMs?: number } = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let events = 0;
  while (Date.now() < deadline) {
    const result = await rollUpPending(db, { limit: 5_000 });
    events += result.events;
    if (result.events > 0) continue;
    const [pending] = await executeRows<{ pending: boolean }>(
      db,
      sql`select exists (select 1 from usage_events where not ${rolledUpSql()}) as pending`,
    );
    if (!pending?.pending) return events;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("rollups did not catch up in time");
}
