import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { fixedClock } from "@/server/clock";
import { createPgliteTestDatabase } from "@/test/database";
import { consumeRateLimit, pruneRateLimits } from "./index";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createPgliteTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("rate limits on PGlite (development)", () => {
  it("limits, refills and prunes on the embedded database", async () => {
    const clock = fixedClock("2026-12-01T00:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => consumeRateLimit(handle.db, { key: "pglite:key", limit: 5, windowMs: 10_000, clock })),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
    expect(results.find((result) => !result.allowed)?.retryAfterMs).toBe(2_000);
    // The database's own clock when none is given.
    expect((await consumeRateLimit(handle.db, { key: "pglite:db-clock", limit: 1, windowMs: 1_000 })).allowed).toBe(true);
    clock.advanceMs(10_000);
    expect(await pruneRateLimits(handle.db, { clock })).toMatchObject({ deleted: 1, complete: true });
  });
});
