import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { evaluatePlanted } from "./evaluate-planted";

const asOf = new Date("2026-06-17T15:20:00Z");
const perKind = { steady: 4, weekly: 4, growth: 3, noisy_low_volume: 5, sporadic: 3, new_customer: 3, decline: 2, spike: 5, short_spike: 2, drop_to_zero: 4, partial_drop: 3, stop_today: 3 };
const none = Object.fromEntries(Object.keys(perKind).map((kind) => [kind, 0]));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

describe("anomalies:evaluate-planted-db", () => {
  // The usage detector's target is recall ≥ 95% and precision ≥ 90% (a mild partial drop can stay under the threshold); the job fails on any miss.
  it("plants into an empty database (catalog included), finds the planted spikes and drops and nothing on the background", async () => {
    const result = await evaluatePlanted(database.db, { seed: 11, asOf, perKind });
    expect(result.customers).toBe(Object.values(perKind).reduce((sum, count) => sum + count, 0));
    expect(result.byDetector.usage_spike!.planted).toBe(perKind.spike + perKind.short_spike);
    expect(result.byDetector.usage_drop!.planted).toBe(perKind.drop_to_zero + perKind.partial_drop + perKind.stop_today);
    expect(result.byDetector.usage_spike!.recall).toBeGreaterThanOrEqual(0.9);
    expect(result.byDetector.usage_drop!.recall, JSON.stringify(result.missed)).toBeGreaterThanOrEqual(0.9);
    expect(result.falsePositives).toEqual([]);
    expect(result.missed.length).toBe(result.byDetector.usage_spike!.missed + result.byDetector.usage_drop!.missed);
    expect(result.ok).toBe(result.missed.length === 0);
  }, 120_000);

  it("reports each planted anomaly a detector misses and fails", async () => {
    const result = await evaluatePlanted(database.db, { seed: 12, asOf, perKind: { ...none, steady: 2, spike: 3, drop_to_zero: 2 }, kinds: ["usage_drop"] });
    expect(result.ok).toBe(false);
    expect(result.byDetector.usage_spike).toMatchObject({ planted: 3, found: 0, missed: 3, recall: 0 });
    expect(result.missed.map((miss) => miss.expected)).toEqual(["usage_spike", "usage_spike", "usage_spike"]);
    expect(result.byDetector.usage_drop).toMatchObject({ planted: 2, found: 2, missed: 0 });
  }, 120_000);

  it("refuses a database with customers it did not plant, and plants nothing", async () => {
    await executeRows(database.db, sql`insert into customers (external_id, name, email, kind) values ('real-1', 'Real', 'real@example.test', 'team')`);
    const before = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from customers`);
    await expect(evaluatePlanted(database.db, { seed: 13, asOf })).rejects.toMatchObject({ code: "planted_database_not_scratch" });
    const after = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from customers`);
    expect(after[0]!.count).toBe(before[0]!.count);
  });
});
