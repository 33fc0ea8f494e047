import crypto from "node:crypto";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { features, meters } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpAll } from "@/server/metering/roll-up-all";
import { rollUpPending } from "@/server/metering/roll-up-pending";
import { verifyRollups } from "@/server/metering/verify-rollups";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { loadEntitlementDefinition } from "./entitlement-definition";
import { contextReads, readSnapshot } from "./evaluate-entitlement";
import { readPeriodUsage, type MeterUsage } from "./read-period-usage";
import { createSubscribedCustomer } from "./test-fixtures";
import { forgetUsagePrefix, usagePrefixBounds, usagePrefixCounts, usagePrefixRefreshesSettled } from "./usage-prefix-cache";

/*
 * The usage a check reads through a cached prefix equals readPeriodUsage's (no prefix), at every
 * step of a random workload: events ingested late (hours old) and on time, several dimensions,
 * every aggregation, an anchor off the hour, the rollup worker advancing a little between checks
 * (the cursor moving past late events), hours passing (prefixes rebuilt), and a repaired rollup
 * (a rewrite of past hours the prefix must not outlive).
 */

let database: TestDatabase;
const suffix = crypto.randomBytes(3).toString("hex");
const eventType = `work.${suffix}`;
const featureKeys = ["count", "sum", "max", "latest", "unique"].map((name) => `${name}_${suffix}`);
let planVersionId: string;
const start = new Date("2026-05-01T10:17:23Z");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  const { db } = database;
  const base = { eventType, filters: [], groupBy: [] as string[] };
  await db.insert(meters).values([
    { ...base, key: featureKeys[0]!, name: "count", aggregation: "count" },
    { ...base, key: featureKeys[1]!, name: "sum", aggregation: "sum", valuePath: "amount", groupBy: ["model"] },
    { ...base, key: featureKeys[2]!, name: "max", aggregation: "max", valuePath: "amount", groupBy: ["region"] },
    { ...base, key: featureKeys[3]!, name: "latest", aggregation: "latest", valuePath: "amount", groupBy: ["model"] },
    { ...base, key: featureKeys[4]!, name: "unique", aggregation: "unique_count", valuePath: "repo", groupBy: ["model"] },
  ]);
  await db.insert(features).values(featureKeys.map((key) => ({ key, name: key, kind: "metered" as const })));
  const [plan] = await executeRows<{ id: string }>(db, sql`insert into catalog_plans (key, name) values (${`plan_${suffix}`}, 'Prefix plan') returning id`);
  const [version] = await executeRows<{ id: string }>(
    db,
    sql`insert into catalog_plan_versions (plan_id, version, status, published_at, currency, billing_interval, entitlements, usage_prices)
        values (${plan!.id}, 1, 'published', '2026-01-01T00:00:00Z', 'usd', 'month',
                ${JSON.stringify(featureKeys.map((key) => ({ featureKey: key, kind: "metered", meterKey: key, allowancePerPeriod: null, overage: "bill" })))}::jsonb, '[]'::jsonb)
        returning id`,
  );
  planVersionId = version!.id;
});
afterAll(async () => {
  await database.drop();
});

const eventArbitrary = fc.record({
  /** How long before now it happened (late events: hours back, some before the period's start). */
  minutesAgo: fc.oneof(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 60 * 40 })),
  amount: fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 100_000 }).map((n) => (n / 100).toFixed(2))), { nil: undefined }),
  model: fc.option(fc.constantFrom("s", "l", "o"), { nil: undefined }),
  region: fc.constantFrom("eu", "us"),
  repo: fc.option(fc.constantFrom("r1", "r2", "r3", "r4", "r5"), { nil: undefined }),
});

const stepArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("ingest" as const), events: fc.array(eventArbitrary, { minLength: 1, maxLength: 15 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("rollup" as const), limit: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("time" as const), minutes: fc.integer({ min: 1, max: 5 * 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("repair" as const) }) },
);

let eventNumber = 0;

function normalized(usage: Map<string, MeterUsage>) {
  return [...usage.values()]
    .map((meter) => ({ ...meter, groups: [...meter.groups].sort((a, b) => JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions))) }))
    .sort((a, b) => a.meterKey.localeCompare(b.meterKey));
}

describe("usage through the cached prefix", () => {
  it("equals readPeriodUsage at every step of a random workload", async () => {
    const { db } = database;
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 4, maxLength: 14 }), fc.integer({ min: 3, max: 20 * 24 }), async (steps, startHours) => {
        const clock = fixedClock(new Date(start.getTime() + startHours * 3_600_000));
        const customer = await createSubscribedCustomer(db, { planVersionId, anchor: start });
        for (const step of steps) {
          if (step.kind === "ingest") {
            const now = clock.now().getTime();
            await ingestEvents(
              db,
              step.events.map((event) => ({
                specversion: "1.0",
                id: `prefix-${suffix}-${++eventNumber}`,
                source: "prefix-property",
                type: eventType,
                subject: customer.externalId,
                time: new Date(now - event.minutesAgo * 60_000 - (eventNumber % 60) * 1000).toISOString(),
                data: { amount: event.amount, model: event.model, region: event.region, repo: event.repo },
              })),
              { clock },
            );
          } else if (step.kind === "rollup") {
            await rollUpPending(db, { limit: step.limit, clock });
          } else if (step.kind === "time") {
            clock.advanceMs(step.minutes * 60_000);
          } else {
            // A corrupted past hour of this customer, then the verification's repair (a rewrite of history).
            await executeRows(db, sql`update usage_rollups set events = events + 7, sum_value = sum_value + 3
              where subject = ${customer.externalId} and window_start < date_trunc('hour', ${clock.now().toISOString()}::timestamptz) - interval '2 hours'`);
            // The next read rebuilds the prefix from the corrupted rollups; the repair must retire it.
            await readBoth(db, customer.externalId, clock.now(), { rebuild: true });
            await verifyRollups(db, { from: start, to: clock.now(), repair: true });
          }
          const { cached, uncached } = await readBoth(db, customer.externalId, clock.now());
          expect(cached).toEqual(uncached);
        }
      }),
      { numRuns: 40 },
    );
    expect(usagePrefixCounts.built).toBeGreaterThan(40);
    // Repairs moved the history generation under live prefixes.
    expect(usagePrefixCounts.dropped).toBeGreaterThan(0);
  });
});

describe("a prefix past its refresh time", () => {
  it("is still used, exactly, while a fresh one is read in the background", async () => {
    const { db } = database;
    // Later than any clock of the workload above (the cursor's sealed hour is one for the database).
    const built = new Date(start.getTime() + 33 * 24 * 3_600_000);
    const customer = await createSubscribedCustomer(db, { planVersionId, anchor: start });
    const ingestAt = async (at: Date, count: number) => {
      await ingestEvents(
        db,
        Array.from({ length: count }, (_, index) => ({
          specversion: "1.0" as const,
          id: `refresh-${suffix}-${at.getTime()}-${index}`,
          source: "prefix-refresh",
          type: eventType,
          subject: customer.externalId,
          time: new Date(at.getTime() - index * 60_000).toISOString(),
          data: { amount: index + 1, model: "s", region: "eu", repo: `r${index % 3}` },
        })),
        { clock: fixedClock(at) },
      );
      await rollUpAll(db, { clock: fixedClock(at) });
    };
    await ingestAt(built, 5);
    const counted = (now: Date) => readCounted(db, customer.externalId, now);
    expect(await counted(built)).toEqual({ built: 1, refreshed: 0 });
    // Four hours on (past 2 h plus any jitter), with usage since: the old prefix answers exactly, and one refresh follows.
    const later = new Date(built.getTime() + 4 * 3_600_000);
    await ingestAt(later, 7);
    expect(await counted(later)).toEqual({ built: 1, refreshed: 1 });
    // The refreshed prefix is current: nothing more to read.
    expect(await counted(later)).toEqual({ built: 0, refreshed: 0 });
    // Many events since, some of them late (in hours the prefix holds, rolled up past its cursor):
    // the prefix answers exactly and a fresh one is read in the background, so checks stop reading
    // them raw.
    await ingestAt(later, 130);
    expect(await counted(later)).toEqual({ built: 1, refreshed: 1 });
    expect(await counted(later)).toEqual({ built: 0, refreshed: 0 });
    // On-time events only (this hour, after the prefix's end), rolled up or not: nothing is late,
    // the prefix stays, and the check reads them from the rollups and past the cursor.
    // (An hour and 40 minutes on: the 40 events, a minute apart, are all in the hour after `later`'s.)
    const onTime = new Date(later.getTime() + 100 * 60_000);
    await ingestAt(onTime, 40);
    expect(await counted(onTime)).toEqual({ built: 0, refreshed: 0 });
  });
});

describe("the last hour's events rolled up just after an hour boundary", () => {
  it("are not late: checks keep their prefix", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId, anchor: start });
    // Later than the test above; 10:30 on a day well inside the period.
    const first = new Date("2026-06-08T10:30:00Z");
    const ingestAt = async (at: Date, id: string, claimAt: Date) => {
      await ingestEvents(
        db,
        [{ specversion: "1.0", id: `straggler-${suffix}-${id}`, source: "prefix-straggler", type: eventType, subject: customer.externalId, time: at.toISOString(), data: { amount: 2, model: "l", region: "us", repo: "r2" } }],
        { clock: fixedClock(at) },
      );
      await rollUpAll(db, { clock: fixedClock(claimAt) });
    };
    const counted = (now: Date) => readCounted(db, customer.externalId, now);
    await ingestAt(first, "a", first);
    expect(await counted(first)).toEqual({ built: 1, refreshed: 0 });
    // Happened at 10:59:30, rolled up at 11:00:30 (the usual lag across a boundary): on time.
    await ingestAt(new Date("2026-06-08T10:59:30Z"), "b", new Date("2026-06-08T11:00:30Z"));
    expect(await counted(new Date("2026-06-08T11:00:30Z"))).toEqual({ built: 0, refreshed: 0 });
    // Happened at 08:40, rolled up at 11:01: late for hours the prefix holds, so it is read again.
    await ingestAt(new Date("2026-06-08T08:40:00Z"), "c", new Date("2026-06-08T11:01:00Z"));
    expect(await counted(new Date("2026-06-08T11:01:00Z"))).toEqual({ built: 1, refreshed: 1 });
    expect(await counted(new Date("2026-06-08T11:01:00Z"))).toEqual({ built: 0, refreshed: 0 });
  });
});

describe("a claim whose clock is before the hour the prefix ends at", () => {
  it("cannot roll up into the prefix's hours unmarked: the prefix ends where the cursor sealed", async () => {
    const { db } = database;
    const customer = await createSubscribedCustomer(db, { planVersionId, anchor: start });
    // An hour boundary later than any sealed so far in this database, mid-period.
    const boundary = new Date("2028-06-15T12:00:00Z");
    const minutes = (count: number) => new Date(boundary.getTime() + count * 60_000);
    const ingestAt = (at: Date, id: string) =>
      ingestEvents(
        db,
        [{ specversion: "1.0", id: `seal-${suffix}-${id}`, source: "prefix-seal", type: eventType, subject: customer.externalId, time: at.toISOString(), data: { amount: 5, model: "s", region: "eu", repo: "r1" } }],
        { clock: fixedClock(at) },
      );
    // Seals up to two hours before the boundary (the start of the hour before the claim's).
    await ingestAt(minutes(-30), "a");
    await rollUpAll(db, { clock: fixedClock(minutes(-30)) });
    // An event just before the boundary, not yet rolled up when a check after the boundary reads its prefix.
    await ingestAt(minutes(-10), "b");
    const after = minutes(5);
    const first = await readBoth(db, customer.externalId, after);
    expect(first.cached).toEqual(first.uncached);
    // A claim that started before the boundary (its clock) commits only now: it rolls the event
    // into the hour before the boundary without marking it late. Had the prefix ended at the
    // boundary (after its cursor's sealed hour), the check would miss the event now.
    await rollUpAll(db, { clock: fixedClock(minutes(-1)) });
    const second = await readBoth(db, customer.externalId, after);
    expect(second.cached).toEqual(second.uncached);
    expect(second.cached.find((meter) => meter.meterKey === featureKeys[0])?.quantity).toBe("2");
  });
});

describe("the prefix cache's bound", () => {
  it("evicts the least recently used prefix, not the oldest", async () => {
    const { db } = database;
    const now = new Date(start.getTime() + 5 * 24 * 3_600_000);
    const [a, b, c] = [
      await createSubscribedCustomer(db, { planVersionId, anchor: start }),
      await createSubscribedCustomer(db, { planVersionId, anchor: start }),
      await createSubscribedCustomer(db, { planVersionId, anchor: start }),
    ];
    const saved = { ...usagePrefixBounds };
    usagePrefixBounds.entriesMax = 2;
    try {
      const builtBy = async (externalId: string) => {
        const before = usagePrefixCounts.built;
        const { cached, uncached } = await readBoth(db, externalId, now);
        expect(cached).toEqual(uncached);
        return usagePrefixCounts.built - before;
      };
      expect(await builtBy(a!.externalId)).toBe(1);
      expect(await builtBy(b!.externalId)).toBe(1);
      // A is used again, so B is now the least recently used: C's prefix evicts B, not A.
      expect(await builtBy(a!.externalId)).toBe(0);
      expect(await builtBy(c!.externalId)).toBe(1);
      expect(await builtBy(a!.externalId)).toBe(0);
      expect(await builtBy(b!.externalId)).toBe(1);
    } finally {
      Object.assign(usagePrefixBounds, saved);
    }
  });
});

/** readBoth (asserting they agree), then the prefixes built and refreshed by it, background refreshes included. */
async function readCounted(db: TestDatabase["db"], externalId: string, now: Date) {
  const before = { ...usagePrefixCounts };
  const { cached, uncached } = await readBoth(db, externalId, now);
  expect(cached).toEqual(uncached);
  await usagePrefixRefreshesSettled(db);
  return { built: usagePrefixCounts.built - before.built, refreshed: usagePrefixCounts.refreshed - before.refreshed };
}

async function readBoth(db: TestDatabase["db"], externalId: string, now: Date, options: { rebuild?: boolean } = {}) {
  const definition = await loadEntitlementDefinition(db, { externalId }, now);
  if (!definition) throw new Error("the customer vanished");
  const reads = contextReads(definition, featureKeys, now, {});
  if (!reads.usage) throw new Error("no usage to read");
  if (options.rebuild) forgetUsagePrefix(db, reads.usage);
  const snapshot = await readSnapshot(db, { evaluate: { definition, featureKeys, usagePrefix: true } }, now);
  const uncached = await readPeriodUsage(db, reads.usage);
  return { cached: normalized(snapshot.context!.usage), uncached: normalized(uncached) };
}
