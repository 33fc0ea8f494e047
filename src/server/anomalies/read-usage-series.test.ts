import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { refreshUsageDays } from "./read-usage-series";

/**
 * The daily usage the usage detectors read, refreshed from hourly rollups: checked against the
 * same days folded here from the generated rollups, for every aggregation a meter can have.
 */
let database: TestDatabase;
const aggregations = ["sum", "max", "latest", "count", "unique_count"] as const;
type Aggregation = (typeof aggregations)[number];
const meterIds = new Map<Aggregation, string>();
const firstDay = Date.UTC(2026, 5, 10);
const hourMs = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  for (const aggregation of aggregations) {
    const [row] = await executeRows<{ id: string }>(
      database.db,
      sql`insert into catalog_meters (key, name, event_type, aggregation, value_path)
          values (${`days_${aggregation}`}, ${`Days ${aggregation}`}, ${`days.${aggregation}`}, ${aggregation}, ${aggregation === "count" ? null : "value"})
          returning id`,
    );
    meterIds.set(aggregation, row!.id);
  }
});
afterAll(async () => {
  await database?.drop();
});

type Rollup = {
  aggregation: Aggregation;
  subject: string;
  hour: number;
  dimension: string | null;
  events: number;
  value: number;
  latestAt: number | null;
  latestSeq: number | null;
};

const rollupArbitrary = (only?: { aggregation: Aggregation; subject: string; hours: number }): fc.Arbitrary<Rollup> =>
  fc.record({
    aggregation: only ? fc.constant(only.aggregation) : fc.constantFrom(...aggregations),
    subject: only ? fc.constant(only.subject) : fc.constantFrom("acme", "globex", "initech"),
    hour: fc.integer({ min: 0, max: (only?.hours ?? 3 * 24) - 1 }),
    dimension: fc.constantFrom(null, "opus", "sonnet"),
    events: fc.integer({ min: 0, max: 40 }),
    value: fc.integer({ min: -5_000, max: 2_000_000_000 }),
    // Few distinct instants, so rows of one hour tie on latest_at and the sequence must break it.
    latestAt: fc.option(fc.constantFrom(0, 1_000, hourMs - 1), { nil: null }),
    latestSeq: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  });

type Day = { quantity: number; events: number; activeHours: number };

/** The days as the detectors mean them, folded in memory: the oracle. */
function expectedDays(rollups: readonly Rollup[]): Map<string, Day> {
  const groups = new Map<string, Rollup[]>();
  for (const rollup of rollups) {
    const key = `${rollup.aggregation}|${rollup.subject}|${new Date(firstDay + Math.floor(rollup.hour / 24) * 86_400_000).toISOString().slice(0, 10)}`;
    groups.set(key, [...(groups.get(key) ?? []), rollup]);
  }
  const days = new Map<string, Day>();
  for (const [key, group] of groups) {
    const aggregation = group[0]!.aggregation;
    const events = group.reduce((total, rollup) => total + rollup.events, 0);
    const activeHours = group.reduce((bits, rollup) => (rollup.events > 0 ? bits | (1 << rollup.hour % 24) : bits), 0);
    let quantity: number;
    if (aggregation === "sum") quantity = group.reduce((total, rollup) => total + rollup.value, 0);
    else if (aggregation === "max") quantity = Math.max(...group.map((rollup) => rollup.value));
    else if (aggregation === "latest") {
      // The newest hour's value: the largest latest_at, then latest_seq (a missing one ranks last), then value.
      const rank = (rollup: Rollup) => [rollup.latestAt === null ? -Infinity : rollup.hour * hourMs + rollup.latestAt, rollup.latestSeq ?? -1, rollup.value];
      const newest = group.reduce((best, rollup) => {
        const [a, b] = [rank(rollup), rank(best)];
        for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return a[index]! > b[index]! ? rollup : best;
        return best;
      });
      quantity = newest.value;
    } else quantity = events;
    days.set(key, { quantity, events, activeHours });
  }
  return days;
}

async function insertRollups(rollups: readonly Rollup[]): Promise<void> {
  for (const rollup of rollups) {
    const windowStart = new Date(firstDay + rollup.hour * hourMs);
    const latestAt = rollup.latestAt === null ? null : new Date(windowStart.getTime() + rollup.latestAt).toISOString();
    await executeRows(
      database.db,
      sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq)
          values (${meterIds.get(rollup.aggregation)!}::uuid, ${rollup.subject}, ${windowStart.toISOString()}::timestamptz,
                  ${JSON.stringify(rollup.dimension === null ? {} : { model: rollup.dimension })}::jsonb, ${rollup.events},
                  ${rollup.aggregation === "sum" ? String(rollup.value) : null}::numeric, ${rollup.aggregation === "max" ? String(rollup.value) : null}::numeric,
                  ${rollup.aggregation === "latest" ? String(rollup.value) : null}::numeric, ${rollup.aggregation === "latest" ? latestAt : null}::timestamptz,
                  ${rollup.aggregation === "latest" ? rollup.latestSeq : null}::bigint)`,
    );
  }
}

async function storedDays(): Promise<Map<string, Day>> {
  const rows = await executeRows<{ aggregation: Aggregation; subject: string; day: string; quantity: string; events: string | number; active_hours: number }>(
    database.db,
    sql`select m.aggregation, d.subject, d.day::text as day, d.quantity::text as quantity, d.events, d.active_hours
        from anomaly_usage_days d join catalog_meters m on m.id = d.meter_id`,
  );
  return new Map(rows.map((row) => [`${row.aggregation}|${row.subject}|${row.day}`, { quantity: Number(row.quantity), events: Number(row.events), activeHours: row.active_hours }]));
}

describe("refreshUsageDays", () => {
  it("folds any hourly rollups into the days each aggregation means, and a rerun changes nothing", async () => {
    const uniqueRollups = fc.uniqueArray(rollupArbitrary(), { maxLength: 60, selector: (rollup) => `${rollup.aggregation}|${rollup.subject}|${rollup.hour}|${rollup.dimension}` });
    await fc.assert(
      fc.asyncProperty(uniqueRollups, async (rollups) => {
        await executeRows(database.db, sql`truncate usage_rollups, anomaly_usage_days`);
        await insertRollups(rollups);
        const now = new Date("2026-06-13T01:00:00Z");
        const changed = await refreshUsageDays(database.db, { fromDay: "2026-06-10", toDay: "2026-06-12", now });
        const expected = expectedDays(rollups);
        expect(await storedDays()).toEqual(expected);
        expect(changed).toBe(expected.size);
        expect(await refreshUsageDays(database.db, { fromDay: "2026-06-10", toDay: "2026-06-12", now })).toBe(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("takes a latest meter's day from its newest hour: latest_at, then the sequence, a missing one ranking last", async () => {
    const crowdedDay = fc.uniqueArray(rollupArbitrary({ aggregation: "latest", subject: "acme", hours: 3 }), {
      minLength: 2,
      maxLength: 9,
      selector: (rollup) => `${rollup.hour}|${rollup.dimension}`,
    });
    await fc.assert(
      fc.asyncProperty(crowdedDay, async (rollups) => {
        await executeRows(database.db, sql`truncate usage_rollups, anomaly_usage_days`);
        await insertRollups(rollups);
        await refreshUsageDays(database.db, { fromDay: "2026-06-10", toDay: "2026-06-10", now: new Date("2026-06-11T01:00:00Z") });
        expect(await storedDays()).toEqual(expectedDays(rollups));
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("recomputes only the days asked for: a rollup outside the range is left for its own refresh", async () => {
    await executeRows(database.db, sql`truncate usage_rollups, anomaly_usage_days`);
    const rollup = (hour: number, value: number): Rollup => ({ aggregation: "sum", subject: "acme", hour, dimension: null, events: 1, value, latestAt: null, latestSeq: null });
    await insertRollups([rollup(1, 10), rollup(30, 20), rollup(60, 40)]);
    await refreshUsageDays(database.db, { fromDay: "2026-06-11", toDay: "2026-06-11", now: new Date("2026-06-13T01:00:00Z") });
    expect([...(await storedDays()).entries()]).toEqual([["sum|acme|2026-06-11", { quantity: 20, events: 1, activeHours: 1 << 6 }]]);
  });
});
