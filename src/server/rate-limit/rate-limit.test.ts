import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { fixedClock } from "@/server/clock";
import { findJob } from "@/server/jobs/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { consumeRateLimit, pruneRateLimits, resetRateLimit } from "./index";

let database: TestDatabase;
/** A second pool on the same database: another server process, as far as PostgreSQL can tell. */
let otherProcess: DatabaseHandle;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
  otherProcess = await openDatabase({ url: database.url, poolMax: 20 });
});
afterAll(async () => {
  await otherProcess.close();
  await database.drop();
});

let keySequence = 0;
const freshKey = (name: string) => `test:${name}:${++keySequence}`;

async function rowCount(): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql`select count(*)::text as count from rate_limits`);
  return Number(row?.count);
}

describe("consumeRateLimit", () => {
  it("allows a burst of exactly `limit`, then refuses with the time until one unit is back", async () => {
    const clock = fixedClock("2026-12-01T00:00:00Z");
    const key = freshKey("burst");
    const results = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      results.push(await consumeRateLimit(database.db, { key, limit: 10, windowMs: 60_000, clock }));
    }
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
    expect(results.slice(0, 10).map((result) => result.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(results[10]).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 6_000, resetAfterMs: 60_000 });

    // One unit comes back every window / limit = 6 s.
    clock.advanceMs(5_999);
    expect((await consumeRateLimit(database.db, { key, limit: 10, windowMs: 60_000, clock })).allowed).toBe(false);
    clock.advanceMs(1);
    const afterRefill = await consumeRateLimit(database.db, { key, limit: 10, windowMs: 60_000, clock });
    expect(afterRefill).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("spends `cost` units at once and refuses a cost that does not fit without spending any", async () => {
    const clock = fixedClock("2026-12-01T00:00:00Z");
    const key = freshKey("cost");
    expect(await consumeRateLimit(database.db, { key, limit: 100, windowMs: 1_000, cost: 70, clock })).toMatchObject({ allowed: true, remaining: 30 });
    const refused = await consumeRateLimit(database.db, { key, limit: 100, windowMs: 1_000, cost: 40, clock });
    expect(refused).toMatchObject({ allowed: false, remaining: 30, retryAfterMs: 100 });
    // The refusal spent nothing: 30 still fit.
    expect(await consumeRateLimit(database.db, { key, limit: 100, windowMs: 1_000, cost: 30, clock })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("is back to the full limit after one idle window, and keys are independent", async () => {
    const clock = fixedClock("2026-12-01T00:00:00Z");
    const key = freshKey("idle");
    const other = freshKey("idle-other");
    for (let attempt = 0; attempt < 3; attempt++) await consumeRateLimit(database.db, { key, limit: 3, windowMs: 1_000, clock });
    expect((await consumeRateLimit(database.db, { key, limit: 3, windowMs: 1_000, clock })).allowed).toBe(false);
    expect((await consumeRateLimit(database.db, { key: other, limit: 3, windowMs: 1_000, clock })).remaining).toBe(2);
    clock.advanceMs(1_000);
    expect(await consumeRateLimit(database.db, { key, limit: 3, windowMs: 1_000, clock })).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("never admits more than limit + elapsed refill, for any limit, window and sequence of costs (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 1_000 })), { minLength: 1, maxLength: 25 }),
        async (limit, windowMs, steps) => {
          const clock = fixedClock("2026-12-01T00:00:00Z");
          const key = freshKey("property");
          let admitted = 0;
          let elapsedMs = 0;
          for (const [advanceMs, rawCost] of steps) {
            clock.advanceMs(advanceMs);
            elapsedMs += advanceMs;
            const cost = Math.min(rawCost, limit);
            const result = await consumeRateLimit(database.db, { key, limit, windowMs, cost, clock });
            if (result.allowed) admitted += cost;
            expect(result.remaining).toBeGreaterThanOrEqual(0);
            expect(result.remaining).toBeLessThanOrEqual(limit);
            expect(result.allowed ? result.retryAfterMs === 0 : result.retryAfterMs > 0).toBe(true);
          }
          // GCRA's bound: the burst plus what refilled since the first request.
          expect(admitted).toBeLessThanOrEqual(limit + Math.floor((elapsedMs * limit) / windowMs));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("admits exactly `limit` of 60 concurrent callers from two server processes", async () => {
    const key = freshKey("concurrent");
    const attempts = Array.from({ length: 60 }, (_, index) =>
      consumeRateLimit(index % 2 === 0 ? database.db : otherProcess.db, { key, limit: 25, windowMs: 3_600_000 }),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((result) => result.allowed)).toHaveLength(25);
    expect(results.filter((result) => !result.allowed).every((result) => result.retryAfterMs > 0)).toBe(true);
  });

  it("refuses nonsense arguments as programmer errors", async () => {
    await expect(consumeRateLimit(database.db, { key: "", limit: 1, windowMs: 1 })).rejects.toThrow(RangeError);
    await expect(consumeRateLimit(database.db, { key: "k", limit: 0, windowMs: 1 })).rejects.toThrow(RangeError);
    await expect(consumeRateLimit(database.db, { key: "k", limit: 5, windowMs: 1.5 })).rejects.toThrow(RangeError);
    await expect(consumeRateLimit(database.db, { key: "k", limit: 5, windowMs: 1_000, cost: 6 })).rejects.toThrow(RangeError);
    await expect(consumeRateLimit(database.db, { key: "k".repeat(257), limit: 5, windowMs: 1_000 })).rejects.toThrow(RangeError);
  });
});

describe("resetRateLimit and pruning", () => {
  it("reset gives the key its full allowance back", async () => {
    const clock = fixedClock("2026-12-01T00:00:00Z");
    const key = freshKey("reset");
    await consumeRateLimit(database.db, { key, limit: 1, windowMs: 60_000, clock });
    expect((await consumeRateLimit(database.db, { key, limit: 1, windowMs: 60_000, clock })).allowed).toBe(false);
    await resetRateLimit(database.db, key);
    expect((await consumeRateLimit(database.db, { key, limit: 1, windowMs: 60_000, clock })).allowed).toBe(true);
  });

  it("keeps storage bounded: pruning deletes exactly the keys that are full again", async () => {
    await executeRows(database.db, sql`delete from rate_limits`);
    const clock = fixedClock("2026-12-01T00:00:00Z");
    for (let index = 0; index < 30; index++) {
      await consumeRateLimit(database.db, { key: freshKey("short"), limit: 10, windowMs: 1_000, clock });
      await consumeRateLimit(database.db, { key: freshKey("long"), limit: 10, windowMs: 3_600_000, clock });
    }
    expect(await rowCount()).toBe(60);
    clock.advanceMs(1_000);
    const result = await pruneRateLimits(database.db, { clock, batchSize: 7 });
    expect(result).toMatchObject({ deleted: 30, complete: true });
    const [row] = await executeRows<{ short: string }>(database.db, sql`select count(*) filter (where key like 'test:short:%')::text as short from rate_limits`);
    expect(Number(row?.short)).toBe(0);
    expect(await rowCount()).toBe(30);
  });

  it("runs as the rate-limit:prune job", async () => {
    await executeRows(database.db, sql`delete from rate_limits`);
    const clock = fixedClock("2026-12-01T00:00:00Z");
    await consumeRateLimit(database.db, { key: freshKey("job"), limit: 10, windowMs: 1_000, clock });
    clock.advanceMs(2_000);
    const summary = await findJob("rate-limit:prune")!.run({ db: database.db, clock, log: () => {} }, {});
    expect(summary).toMatchObject({ ok: true, deleted: 1 });
    expect(await rowCount()).toBe(0);
  });
});
