import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { meters, type MeterFilter } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getCustomerUsage } from "./get-customer-usage";
import { ingestEvents } from "./ingest-events";
import { rollUpPending } from "./roll-up-pending";
import { cloudEvent, rollUpEverything } from "./test-events";
import { verifyRollups } from "./verify-rollups";

let database: TestDatabase;
const clock = fixedClock("2026-03-10T12:30:00Z");
const day = { from: "2026-03-10T00:00:00Z", to: "2026-03-11T00:00:00Z" };

async function createMeter(db: Db, key: string, aggregation: "count" | "sum" | "max" | "unique_count" | "latest", options: { valuePath?: string; filters?: MeterFilter[]; groupBy?: string[]; eventType?: string } = {}) {
  await db.insert(meters).values({
    key,
    name: key,
    eventType: options.eventType ?? "llm.completion",
    aggregation,
    valuePath: options.valuePath ?? null,
    filters: options.filters ?? [],
    groupBy: options.groupBy ?? [],
  });
}

/** Small claims, so windows are built up across several claims. */
async function rollUpAll(db: Db): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const result = await rollUpPending(db, { limit: 7 });
    if (result.claimed && result.events === 0) break;
  }
  await rollUpEverything(db);
}

const event = (subject: string, time: string, data: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
  cloudEvent({ source: "rollups", type: "llm.completion", subject, time, data, ...overrides });

async function usage(meterKey: string, options: { window?: "hour" | "day" | "month"; groupBy?: string[]; subject?: string } = {}) {
  return getCustomerUsage(database.db, { externalId: options.subject ?? "cus_1", meterKey, ...day, window: options.window ?? "hour", groupBy: options.groupBy ?? [] });
}

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  await createMeter(database.db, "requests", "count");
  await createMeter(database.db, "tokens", "sum", { valuePath: "usage.tokens", filters: [{ property: "kind", operator: "not_equals", value: "cached" }], groupBy: ["model"] });
  await createMeter(database.db, "peak", "max", { valuePath: "usage.tokens" });
  await createMeter(database.db, "repos", "unique_count", { valuePath: "repo" });
  await createMeter(database.db, "seats", "latest", { valuePath: "seats" });
  await createMeter(database.db, "big_models", "count", { filters: [{ property: "model", operator: "in", values: ["large", "xl"] }] });
  await createMeter(database.db, "other", "count", { eventType: "other.type" });
  await ingestEvents(
    database.db,
    [
      event("cus_1", "2026-03-10T10:05:00Z", { model: "small", usage: { tokens: 10 }, repo: "a", seats: 3 }),
      event("cus_1", "2026-03-10T10:50:00Z", { model: "large", usage: { tokens: "2.5" }, repo: "b", seats: 5 }),
      event("cus_1", "2026-03-10T10:20:00Z", { model: "large", usage: { tokens: 7 }, kind: "cached", repo: "a", seats: 4 }),
      event("cus_1", "2026-03-10T11:10:00Z", { model: "small", usage: { tokens: 1 }, repo: "a", seats: 2 }),
      event("cus_1", "2026-03-10T11:15:00Z", { model: "xl", repo: "c" }),
      event("cus_1", "2026-03-10T11:20:00Z", { model: "small", usage: { tokens: "not a number" } }),
      event("cus_2", "2026-03-10T10:00:00Z", { model: "small", usage: { tokens: 1000 }, repo: "z", seats: 99 }),
    ],
    // Stored unchecked, as before ingestion refused values a meter cannot aggregate: the rollups ignore them.
    { clock, meterValueRules: new Map() },
  );
  await rollUpAll(database.db);
});
afterAll(async () => {
  await database.drop();
});

const values = (result: { data: { value: string | null }[] }) => result.data.map((point) => point.value);
const numbers = (result: { data: { value: string | null }[] }) => result.data.map((point) => (point.value === null ? null : Number(point.value)));

describe("rollups", () => {
  it("count every matching event per hour", async () => {
    expect(values(await usage("requests"))).toEqual(["3", "3"]);
    expect((await usage("requests", { window: "day" })).totals).toEqual([{ dimensions: {}, value: "6" }]);
  });

  it("sum a property exactly, honouring filters and group-by", async () => {
    expect(numbers(await usage("tokens"))).toEqual([12.5, 1]);
    const byModel = await usage("tokens", { window: "day", groupBy: ["model"] });
    expect(byModel.totals.map((total) => [total.dimensions.model, total.value === null ? null : Number(total.value)])).toEqual([
      ["large", 2.5],
      ["small", 11],
      ["xl", null],
    ]);
    await expect(usage("tokens", { groupBy: ["region"] })).rejects.toMatchObject({ code: "invalid_group_by" });
  });

  it("take the max, the latest by event time, and filters with `in`", async () => {
    expect(numbers(await usage("peak"))).toEqual([10, 1]);
    expect(numbers(await usage("peak", { window: "day" }))).toEqual([10]);
    // 10:50 (5 seats) is the latest event of the 10:00 window even though 10:20 arrived after it.
    expect(numbers(await usage("seats"))).toEqual([5, 2]);
    expect(numbers(await usage("seats", { window: "day" }))).toEqual([2]);
    expect(values(await usage("big_models"))).toEqual(["2", "1"]);
    expect(values(await usage("other"))).toEqual([]);
  });

  it("count unique values exactly across windows, not as a sum of windows", async () => {
    expect(values(await usage("repos"))).toEqual(["2", "2"]);
    expect((await usage("repos", { window: "day" })).totals[0]?.value).toBe("3");
  });

  it("put late events in their own window, and keep each event once under concurrent workers", async () => {
    await ingestEvents(
      database.db,
      [
        event("cus_1", "2026-02-20T08:00:00Z", { model: "small", usage: { tokens: 4 }, seats: 1 }),
        event("cus_1", "2026-03-10T10:59:59Z", { model: "small", usage: { tokens: 100 }, repo: "d", seats: 8 }),
      ],
      { clock },
    );
    const results = await Promise.all([rollUpPending(database.db), rollUpPending(database.db), rollUpPending(database.db)]);
    const rest = await rollUpEverything(database.db);
    expect(results.reduce((sum, result) => sum + result.events, 0) + rest).toBe(2);
    expect(numbers(await usage("tokens"))).toEqual([112.5, 1]);
    expect(numbers(await usage("seats"))).toEqual([8, 2]);
    expect(values(await usage("repos"))).toEqual(["3", "2"]);
    const february = await getCustomerUsage(database.db, { externalId: "cus_1", meterKey: "tokens", from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z", window: "month" });
    expect(february.totals[0]?.value).toBe("4");
    const check = await verifyRollups(database.db, { from: "2026-02-01T00:00:00Z", to: "2026-04-01T00:00:00Z" });
    expect(check).toMatchObject({ differences: 0, uniqueValueDifferences: 0 });
    expect(check.windows).toBeGreaterThan(10);
  });

  it("never skip an event whose transaction commits after a later one", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    const slow = database.db.transaction(async (tx) => {
      await ingestEvents(tx as unknown as Db, [event("cus_3", "2026-03-10T09:00:00Z", {}, { id: "slow" })], { clock });
      inserted();
      await held;
    });
    await insertedSignal;
    await ingestEvents(database.db, [event("cus_3", "2026-03-10T09:00:00Z", {}, { id: "fast" })], { clock });
    try {
      // Events behind a transaction still running wait for it: claiming past it could skip it.
      for (let round = 0; round < 5; round++) await rollUpPending(database.db);
      expect(values(await usage("requests", { subject: "cus_3" }))).toEqual([]);
    } finally {
      release();
    }
    await slow;
    await rollUpAll(database.db);
    expect(values(await usage("requests", { subject: "cus_3" }))).toEqual(["2"]);
  });

  it("backfill a meter created after its events were rolled up, and find tampering", async () => {
    await createMeter(database.db, "late_meter", "sum", { valuePath: "usage.tokens" });
    await rollUpAll(database.db);
    expect(numbers(await usage("late_meter"))).toEqual([119.5, 1]);
    const before = await verifyRollups(database.db, day);
    expect(before.differences).toBe(0);
    await executeRows(database.db, sql`update usage_rollups set events = events + 1 where subject = 'cus_2'`);
    await executeRows(database.db, sql`delete from usage_rollup_values where value = 'z'`);
    const after = await verifyRollups(database.db, day);
    expect(after.differences).toBeGreaterThan(0);
    expect(after.uniqueValueDifferences).toBe(1);
    expect(after.examples[0]).toMatchObject({ subject: "cus_2" });
  });
});
