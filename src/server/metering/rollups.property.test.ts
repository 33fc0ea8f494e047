import Decimal from "decimal.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meters } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getCustomerUsage } from "./get-customer-usage";
import { ingestEvents } from "./ingest-events";
import { rollUpPending } from "./roll-up-pending";
import { rollUpEverything } from "./test-events";
import { verifyRollups } from "./verify-rollups";

let database: TestDatabase;
const clock = fixedClock("2026-05-20T00:00:00Z");
const range = { from: "2026-05-17T00:00:00Z", to: "2026-05-20T00:00:00Z" };

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  const base = { eventType: "work.done", filters: [], groupBy: [] as string[] };
  await database.db.insert(meters).values([
    { ...base, key: "p_count", name: "count", aggregation: "count" },
    { ...base, key: "p_sum", name: "sum", aggregation: "sum", valuePath: "amount", filters: [{ property: "kind", operator: "not_equals", value: "free" }], groupBy: ["model"] },
    { ...base, key: "p_max", name: "max", aggregation: "max", valuePath: "amount" },
    { ...base, key: "p_unique", name: "unique", aggregation: "unique_count", valuePath: "repo" },
    { ...base, key: "p_latest", name: "latest", aggregation: "latest", valuePath: "amount" },
  ]);
});
afterAll(async () => {
  await database.drop();
});

const eventArbitrary = fc.record({
  id: fc.integer({ min: 0, max: 40 }),
  subject: fc.constantFrom("a", "b", "c"),
  type: fc.constantFrom("work.done", "work.done", "work.other"),
  minute: fc.integer({ min: 0, max: 4 * 60 - 1 }),
  amount: fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 100_000 }).map((n) => (n / 100).toFixed(2)), fc.constant("junk")), { nil: undefined }),
  model: fc.option(fc.constantFrom("s", "l"), { nil: undefined }),
  kind: fc.constantFrom("paid", "free"),
  repo: fc.option(fc.constantFrom("r1", "r2", "r3", "r4"), { nil: undefined }),
});
type GeneratedEvent = typeof eventArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** A batch is a list of events; a step either ingests a batch (maybe twice, concurrently) or rolls up a few events. */
const stepArbitrary = fc.oneof(
  fc.record({ kind: fc.constant("ingest" as const), events: fc.array(eventArbitrary, { maxLength: 25 }), retries: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("rollup" as const), limit: fc.integer({ min: 1, max: 30 }) }),
);

let run = 0;
/** Values are stored unchecked ("junk" included), as before ingestion refused them: the rollups must ignore them. */
const uncheckedValues = new Map();

describe("rollups after a random workload", () => {
  it("equal a recomputation from raw events, and an independent model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 12 }), async (steps) => {
        run++;
        const prefix = `run${run}_`;
        const firstById = new Map<number, GeneratedEvent>();
        const toCloudEvent = (event: GeneratedEvent) => ({
          specversion: "1.0",
          id: `${prefix}${event.id}`,
          source: "property",
          type: event.type,
          subject: `${prefix}${event.subject}`,
          time: new Date(Date.parse(range.from) + event.minute * 60_000).toISOString(),
          data: { amount: event.amount, model: event.model, kind: event.kind, repo: event.repo },
        });
        for (const step of steps) {
          if (step.kind === "rollup") {
            await rollUpPending(database.db, { limit: step.limit });
            continue;
          }
          for (const event of step.events) if (!firstById.has(event.id)) firstById.set(event.id, event);
          const batch = step.events.map(toCloudEvent);
          await Promise.all(Array.from({ length: step.retries }, () => ingestEvents(database.db, batch, { clock, meterValueRules: uncheckedValues })));
        }
        await rollUpEverything(database.db);

        const check = await verifyRollups(database.db, range);
        expect(check.differences).toBe(0);
        expect(check.uniqueValueDifferences).toBe(0);

        const stored = [...firstById.values()].filter((event) => event.type === "work.done");
        for (const subject of ["a", "b", "c"]) {
          const mine = stored.filter((event) => event.subject === subject);
          const total = async (meterKey: string) =>
            (await getCustomerUsage(database.db, { externalId: `${prefix}${subject}`, meterKey, ...range, window: "day" })).totals[0]?.value ?? null;
          expect(Number((await total("p_count")) ?? 0)).toBe(mine.length);
          const amounts = mine.filter((event) => event.amount !== undefined && event.amount !== "junk" && event.kind !== "free");
          const expectedSum = amounts.length === 0 ? null : amounts.reduce((sum, event) => sum.plus(event.amount!), new Decimal(0));
          const groups = (await getCustomerUsage(database.db, { externalId: `${prefix}${subject}`, meterKey: "p_sum", ...range, window: "day" })).totals;
          const grouped = groups.reduce((acc, group) => (group.value === null ? acc : acc.plus(group.value)), new Decimal(0));
          expect(expectedSum === null ? groups.every((group) => group.value === null) : grouped.equals(expectedSum)).toBe(true);
          const repos = new Set(mine.map((event) => event.repo).filter((repo) => repo !== undefined));
          expect(Number((await total("p_unique")) ?? 0)).toBe(repos.size);
          const valued = mine.filter((event) => event.amount !== undefined && event.amount !== "junk");
          const latest = [...valued].sort((x, y) => x.minute - y.minute).at(-1);
          const latestValue = await total("p_latest");
          if (latest && valued.filter((event) => event.minute === latest.minute).length === 1) {
            expect(new Decimal(latestValue!).equals(latest.amount!)).toBe(true);
          }
          const max = valued.reduce<Decimal | null>((acc, event) => (acc === null || acc.lessThan(event.amount!) ? new Decimal(event.amount!) : acc), null);
          const maxValue = await total("p_max");
          expect(max === null ? maxValue === null : new Decimal(maxValue!).equals(max)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });
});

