import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { meters } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ingestEvents } from "./ingest-events";
import { compiledDistinctValuesSql, compiledWindowAggregatesSql, loadCompiledMeters, matchedEventsSql, windowAggregatesSql } from "./rollup-sql";

let database: TestDatabase;
const clock = fixedClock("2026-04-02T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("compiledWindowAggregatesSql and compiledDistinctValuesSql", () => {
  it("yield exactly the windows and distinct values of the generic definitions, for every operator and aggregation", async () => {
    const { db } = database;
    const base = { eventType: "t.a", filters: [], groupBy: [] as string[] };
    await db.insert(meters).values([
      { ...base, key: "c", name: "c", aggregation: "count", groupBy: ["model", "region.name", "model"] },
      { ...base, key: "s", name: "s", aggregation: "sum", valuePath: "usage.tokens", filters: [{ property: "kind", operator: "equals", value: "paid" }] },
      { ...base, key: "m", name: "m", aggregation: "max", valuePath: "usage.tokens", filters: [{ property: "kind", operator: "not_equals", value: "free" }] },
      { ...base, key: "l", name: "l", aggregation: "latest", valuePath: "seats", filters: [{ property: "model", operator: "in", values: ["a", "b"] }] },
      { ...base, key: "u", name: "u", aggregation: "unique_count", valuePath: "repo", filters: [{ property: "region.name", operator: "not_in", values: ["eu"] }] },
      { ...base, key: "n", name: "n", aggregation: "count", filters: [{ property: "model", operator: "in", values: [] }, { property: "x.y", operator: "not_in", values: [] }] },
      { ...base, key: "o", name: "o", aggregation: "sum", valuePath: "usage.tokens", eventType: "t.b", groupBy: ["kind"] },
    ]);
    const values = [undefined, null, "a", "b", "eu", "us", "paid", "free", 7, "2.50", "-3", "junk", "1e5", true, { nested: 1 }, [1]];
    const pick = (n: number) => values[n % values.length];
    const events = Array.from({ length: 400 }, (_, n) => ({
      specversion: "1.0",
      id: `cmp-${n}`,
      source: "compiled",
      type: n % 5 === 0 ? "t.b" : "t.a",
      subject: `s${n % 4}`,
      time: new Date(Date.parse("2026-04-02T00:00:00Z") + n * 60_000).toISOString(),
      data: { kind: pick(n * 3), model: pick(n), region: n % 7 === 0 ? pick(n) : { name: pick(n * 5) }, usage: { tokens: pick(n * 7) }, seats: pick(n * 11), repo: pick(n * 13) },
    }));
    expect((await ingestEvents(db, events, { clock, meterValueRules: new Map() })).accepted).toBe(events.length);
    const compiledMeters = await loadCompiledMeters(db);
    const windowColumns = sql`meter_id, subject, window_start, dimensions, events, sum_value, max_value, latest_value, latest_at, latest_seq`;
    const matched = sql`(${matchedEventsSql(sql`usage_events`)})`;
    const windows = await compare(
      sql`select ${windowColumns} from (${windowAggregatesSql(matched)}) x`,
      sql`select ${windowColumns} from (${compiledWindowAggregatesSql(sql`usage_events`, compiledMeters)}) y`,
    );
    expect(Number(windows?.generic)).toBeGreaterThan(100);
    expect(windows).toMatchObject({ generic: windows?.compiled, only_generic: "0", only_compiled: "0" });
    const distinct = await compare(
      sql`select distinct meter_id, subject, window_start, dimensions, text_value from ${matched} x
          where aggregation = 'unique_count' and text_value is not null`,
      sql`select meter_id, subject, window_start, dimensions, value from (${compiledDistinctValuesSql(sql`usage_events`, compiledMeters)}) y`,
    );
    expect(Number(distinct?.generic)).toBeGreaterThan(20);
    expect(distinct).toMatchObject({ generic: distinct?.compiled, only_generic: "0", only_compiled: "0" });
  });
});

/** Row counts of two queries and of the rows each has that the other lacks (as multisets). */
async function compare(generic: SQL, compiled: SQL) {
  const [row] = await executeRows<{ generic: string; compiled: string; only_generic: string; only_compiled: string }>(
    database.db,
    sql`with g as (${generic}), c as (${compiled})
        select (select count(*) from g) as generic, (select count(*) from c) as compiled,
               (select count(*) from (select * from g except all select * from c) d) as only_generic,
               (select count(*) from (select * from c except all select * from g) d) as only_compiled`,
  );
  return row;
}
