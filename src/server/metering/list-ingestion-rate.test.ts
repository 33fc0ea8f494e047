import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meteringIngestCounters } from "@/db/schema";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ingestEvents } from "./ingest-events";
import { listIngestionRate } from "./list-ingestion-rate";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("listIngestionRate", () => {
  it("counts what ingestion just accepted and rejected", async () => {
    await ingestEvents(database.db, [cloudEvent(), cloudEvent(), cloudEvent(), cloudEvent({ subject: undefined })]);
    const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
    const points = await listIngestionRate(database.db, { since: new Date(until.getTime() - 3_600_000), until, bucketMinutes: 1 });
    expect(points).toHaveLength(60);
    expect(points.reduce((sum, point) => sum + point.accepted, 0)).toBe(3);
    expect(points.reduce((sum, point) => sum + point.rejected, 0)).toBe(1);
  });

  it("sums minutes into buckets, fills empty buckets with zeros and averages per minute", async () => {
    const base = Date.parse("2026-01-05T10:00:00Z");
    await database.db.insert(meteringIngestCounters).values([
      { minute: new Date(base + 1 * 60_000), shard: 0, accepted: 10, duplicates: 1, rejected: { invalid_time: 2 } },
      { minute: new Date(base + 1 * 60_000), shard: 1, accepted: 5, rejected: { too_late: 1, invalid_time: 1 } },
      { minute: new Date(base + 14 * 60_000), shard: 0, accepted: 15 },
      { minute: new Date(base + 40 * 60_000), shard: 0, accepted: 60 },
    ]);
    const points = await listIngestionRate(database.db, { since: new Date(base), until: new Date(base + 60 * 60_000), bucketMinutes: 15 });
    expect(points.map((point) => point.bucketStart.toISOString())).toEqual([
      "2026-01-05T10:00:00.000Z",
      "2026-01-05T10:15:00.000Z",
      "2026-01-05T10:30:00.000Z",
      "2026-01-05T10:45:00.000Z",
    ]);
    expect(points.map((point) => point.accepted)).toEqual([30, 0, 60, 0]);
    expect(points[0]).toMatchObject({ duplicates: 1, rejected: 4, acceptedPerMinute: 2 });
    expect(points[2]?.acceptedPerMinute).toBe(4);
  });

  it("refuses an unbounded series", async () => {
    await expect(listIngestionRate(database.db, { since: new Date(0), until: new Date(), bucketMinutes: 1 })).rejects.toThrow(/buckets/);
  });
});
