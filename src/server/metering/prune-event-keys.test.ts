import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ingestEvents } from "./ingest-events";
import { eventKeyRetentionMs, pruneEventKeys } from "./prune-event-keys";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const dayMs = 86_400_000;

async function keyCount(source: string): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql`select count(*) as count from usage_event_keys where source = ${source}`);
  return Number(row?.count);
}

describe("pruneEventKeys", () => {
  it("deletes only keys past the lateness window and a day, in batches, and a retry of a pruned event still counts once", async () => {
    const clock = fixedClock("2026-06-01T00:00:00Z");
    const at = (daysAgo: number) => new Date(clock.now().getTime() - daysAgo * dayMs).toISOString();
    const old = [30, 33, 34].map((daysAgo, index) => cloudEvent({ source: "prune", id: `old-${index}`, time: at(daysAgo) }));
    const recent = [0, 1, 2, 5].map((daysAgo, index) => cloudEvent({ source: "prune", id: `recent-${index}`, time: at(daysAgo) }));
    expect(await ingestEvents(database.db, [...old, ...recent], { clock })).toMatchObject({ accepted: 7 });

    // Nothing is old enough yet: the oldest key is 34 days old, the retention is 36.
    expect(await pruneEventKeys(database.db, { clock })).toMatchObject({ deleted: 0, complete: true });
    expect(await keyCount("prune")).toBe(7);

    // Ten days later the three old keys (40–44 days) are past the retention; recent ones (10–15 days) stay.
    clock.set(new Date(clock.now().getTime() + 10 * dayMs));
    const result = await pruneEventKeys(database.db, { clock, batchSize: 2, batchesMax: 1 });
    expect(result).toMatchObject({ deleted: 2, batches: 1, complete: false });
    expect(result.cutoff.getTime()).toBe(clock.now().getTime() - eventKeyRetentionMs);
    expect(await pruneEventKeys(database.db, { clock, batchSize: 2 })).toMatchObject({ deleted: 1, complete: true });
    expect(await keyCount("prune")).toBe(4);

    // A client retries the whole first batch: the pruned events are refused too_late (never
    // accepted again), the others are duplicates. Every event is stored once.
    const retry = await ingestEvents(database.db, [...old, ...recent], { clock });
    expect(retry).toMatchObject({ accepted: 0, duplicates: 4, rejected: 3 });
    expect(retry.results.filter((item) => item.status === "rejected").map((item) => (item as { code: string }).code)).toEqual(["too_late", "too_late", "too_late"]);
    const [stored] = await executeRows<{ count: string }>(database.db, sql`select count(*) as count from usage_events where source = 'prune'`);
    expect(Number(stored?.count)).toBe(7);
  });
});
