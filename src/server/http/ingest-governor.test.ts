import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { cloudEvent } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { IngestGovernor, replaceIngestGovernor } from "./ingest-governor";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

/** A governor on a clock the test moves. */
function governed(options: ConstructorParameters<typeof IngestGovernor>[0] = {}) {
  let nowMs = 0;
  const governor = new IngestGovernor(options, () => nowMs);
  return {
    governor,
    advance: (ms: number) => void (nowMs += ms),
    /** One second of traffic: `batches` ingestion requests of `size` events and `checks` checks of `checkMs` each, spread evenly. */
    second(load: { batches: number; size: number; checks: number; checkMs: number }) {
      let admitted = 0;
      let refused = 0;
      const steps = Math.max(load.batches, load.checks, 1);
      for (let step = 0; step < steps; step++) {
        if (step < load.batches) {
          if (governor.admit().admitted) {
            governor.charge(load.size);
            admitted += load.size;
          } else refused++;
        }
        if (step < load.checks) governor.observeCheck(load.checkMs);
        nowMs += 1000 / steps;
      }
      return { admitted, refused };
    },
  };
}

const heavy = { batches: 20, size: 1_000 };

describe("IngestGovernor", () => {
  it("never limits ingestion while checks are fast, or too few to judge", () => {
    const { governor, second } = governed();
    for (let index = 0; index < 10; index++) expect(second({ ...heavy, checks: 1_000, checkMs: 2 })).toEqual({ admitted: 20_000, refused: 0 });
    // Slow, but only 50 checks a second: no signal.
    for (let index = 0; index < 10; index++) expect(second({ ...heavy, checks: 50, checkMs: 80 })).toEqual({ admitted: 20_000, refused: 0 });
    expect(governor.limit).toBeNull();
  });

  it("limits ingestion while checks are slow, down to the floor, and refuses with a time to retry", () => {
    const { governor, second } = governed({ floorPerSecond: 2_000 });
    second({ ...heavy, checks: 1_000, checkMs: 30 });
    second({ ...heavy, checks: 1_000, checkMs: 30 });
    // The first slow window set the limit to 0.75 × the 20,000/s admitted in it.
    expect(governor.limit).toBeLessThanOrEqual(15_000);
    const limited = second({ ...heavy, checks: 1_000, checkMs: 30 });
    expect(limited.refused).toBeGreaterThan(0);
    expect(limited.admitted).toBeLessThan(20_000);
    for (let index = 0; index < 30; index++) second({ ...heavy, checks: 1_000, checkMs: 30 });
    expect(governor.limit).toBe(2_000);
    const atFloor = second({ ...heavy, checks: 1_000, checkMs: 30 });
    // The floor (2,000/s), give or take the quarter-second burst and one batch paid after it was admitted.
    expect(atFloor.admitted).toBeGreaterThanOrEqual(1_000);
    expect(atFloor.admitted).toBeLessThanOrEqual(2_000 + 500 + 1_000);
    const refusal = governor.admit();
    if (refusal.admitted) governor.charge(5_000);
    const next = governor.admit();
    expect(next).toMatchObject({ admitted: false });
    expect(!next.admitted && next.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(governor.totals.refusedRequests).toBeGreaterThan(0);
  });

  it("gives the room back step by step once checks are fast again, and lifts the limit when ingestion asks for less", () => {
    const { governor, second } = governed();
    for (let index = 0; index < 10; index++) second({ ...heavy, checks: 1_000, checkMs: 30 });
    const low = governor.limit!;
    second({ ...heavy, checks: 1_000, checkMs: 1 });
    second({ ...heavy, checks: 1_000, checkMs: 1 });
    expect(governor.limit).toBeGreaterThan(low);
    expect(governor.limit).toBeLessThanOrEqual(low + 2_000);
    // Demand falls well under the limit: lifted.
    second({ batches: 1, size: 100, checks: 1_000, checkMs: 1 });
    second({ batches: 1, size: 100, checks: 1_000, checkMs: 1 });
    expect(governor.limit).toBeNull();
  });

  it("lifts the limit as soon as the checks stop: ingestion alone is never held back by a limit set earlier", () => {
    const { governor, second } = governed();
    for (let index = 0; index < 10; index++) second({ ...heavy, checks: 1_000, checkMs: 30 });
    expect(governor.limit).not.toBeNull();
    // The first second without checks closes a window that had them; from then on, all is admitted.
    second({ ...heavy, checks: 0, checkMs: 0 });
    for (let index = 0; index < 3; index++) expect(second({ ...heavy, checks: 0, checkMs: 0 })).toEqual({ admitted: 20_000, refused: 0 });
    expect(governor.limit).toBeNull();
  });

  it("property: with no slow window nothing is ever refused; with one, the limit stays within [floor, what was admitted]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ batches: fc.integer({ min: 0, max: 40 }), size: fc.integer({ min: 1, max: 1_000 }), checks: fc.integer({ min: 0, max: 1_500 }), checkMs: fc.double({ min: 0, max: 50, noNaN: true }) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 100, max: 5_000 }),
        (seconds, floor) => {
          const { governor, second } = governed({ floorPerSecond: floor });
          let everSlow = false;
          let admittedMax = 0;
          for (const load of seconds) {
            // Windows need not align with these seconds, so any slow check may start one.
            if (load.checks > 0 && load.checkMs > 10) everSlow = true;
            const outcome = second(load);
            if (!everSlow) expect(outcome.refused).toBe(0);
            admittedMax = Math.max(admittedMax, load.batches * load.size);
            const limit = governor.limit;
            if (limit !== null) {
              expect(limit).toBeGreaterThanOrEqual(floor);
              expect(limit).toBeLessThanOrEqual(Math.max(floor, admittedMax) + 1_000 * seconds.length);
            }
          }
        },
      ),
    );
  });
});

describe("POST /api/v1/events under a limited governor", () => {
  let database: TestDatabase;
  let hot: HotRouteServer;
  let key: string;
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 2 });
    hot = await startHotRouteServer();
    useRouteDatabase(database);
    key = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
  });
  afterAll(async () => {
    replaceIngestGovernor(undefined);
    process.env.TALLY_INGEST_GOVERNOR = "off";
    await hot?.close();
    await database?.drop();
  });

  it("answers 503 ingest_overloaded with Retry-After and stores nothing of the refused request; the retry is stored once", async () => {
    const { governor, second } = governed({ floorPerSecond: 100 });
    for (let index = 0; index < 5; index++) second({ batches: 20, size: 1_000, checks: 1_000, checkMs: 40 });
    governor.charge(10_000);
    replaceIngestGovernor(governor);
    delete process.env.TALLY_INGEST_GOVERNOR;
    const body = JSON.stringify([cloudEvent({ source: "governed", id: "g1" }), cloudEvent({ source: "governed", id: "g2" })]);
    const post = () =>
      hot.send(new Request("http://tally.test/api/v1/events", { method: "POST", body, headers: { "content-type": "application/cloudevents-batch+json", authorization: `Bearer ${key}` } }));
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: "ingest_overloaded" } });
    const count = async () => Number((await executeRows<{ n: string }>(database.db, sql`select count(*) as n from usage_events where source = 'governed'`))[0]!.n);
    expect(await count()).toBe(0);
    replaceIngestGovernor(new IngestGovernor());
    const retried = await post();
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ accepted: 2 });
    expect(await count()).toBe(2);
  });
});
