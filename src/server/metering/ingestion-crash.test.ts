import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { migrateDatabase } from "@/db/migrate";
import { meters } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { createDatabaseOn, freePort, startOwnPostgres, type OwnPostgres } from "@/test/own-postgres";
import { killAndWait, sleep, startApiServer, type ServerProcess } from "@/test/processes";
import { verifyRollups } from "./verify-rollups";

/*
 * Issue 16, "tests that stay": a crash test of ingestion with a PostgreSQL and a server process of
 * its own. Clients send batches and retry whatever was not acknowledged (a refused connection, a
 * 5xx, a timeout) while the server is SIGKILLed and restarted, and while PostgreSQL is stopped
 * `-m immediate` (a crash) and started again under the same server. Afterwards every event is
 * stored exactly once, the rollups equal a recomputation from the raw events, the ledger verifies
 * with 0 differences, and the server lived through the database's crash and answered again.
 */

const batches = 60;
const eventsPerBatch = 100;
const clients = 3;
const source = "crash/ingestion";
let pg: OwnPostgres;
let databaseUrl: string;
let handle: DatabaseHandle;
let apiKey: string;
let server: ServerProcess | undefined;

beforeAll(async () => {
  pg = await startOwnPostgres();
  await createDatabaseOn(pg.url(), "tally");
  databaseUrl = pg.url("tally");
  handle = await openDatabase({ url: databaseUrl, poolMax: 2 });
  await migrateDatabase(handle);
  await handle.db.insert(meters).values([
    { key: "crash_requests", name: "Requests", eventType: "crash.request", aggregation: "count" },
    { key: "crash_tokens", name: "Tokens", eventType: "crash.request", aggregation: "sum", valuePath: "tokens", groupBy: ["model"] },
  ]);
  apiKey = (await createApiKey(handle.db, { actor: systemActor("crash-test"), name: "edge", scopes: ["ingest"] })).key;
  await handle.close();
}, 120_000);
afterAll(async () => {
  if (server) await killAndWait(server.child);
  pg?.destroy();
});

type Outcome = "acknowledged" | "retry";

async function send(port: number, body: string): Promise<{ outcome: Outcome; statuses: string[] }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
      method: "POST",
      body,
      headers: { "content-type": "application/cloudevents-batch+json", authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 200) {
      // Anything but 503 (database away) while the server is up would be a defect.
      if (response.status !== 503) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
      return { outcome: "retry", statuses: [] };
    }
    const result = (await response.json()) as { results: { status: string }[] };
    return { outcome: "acknowledged", statuses: result.results.map((item) => item.status) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("unexpected")) throw error;
    return { outcome: "retry", statuses: [] }; // refused, reset or timed out: not acknowledged
  }
}

describe("ingestion through a server SIGKILL and a PostgreSQL crash", () => {
  it("stores every acknowledged event exactly once, with rollups and ledger verified", async () => {
    const port = await freePort();
    server = await startApiServer({ port, databaseUrl });
    const batchBodies = Array.from({ length: batches }, (_, batch) =>
      JSON.stringify(
        Array.from({ length: eventsPerBatch }, (_, index) => ({
          specversion: "1.0",
          id: `b${batch}-e${index}`,
          source,
          type: "crash.request",
          subject: `cus_${index % 7}`,
          time: new Date(Date.now() - ((batch * eventsPerBatch + index) % 3_600) * 1_000).toISOString(),
          data: { tokens: 1 + ((batch + index) % 50), model: index % 2 === 0 ? "small" : "large" },
        })),
      ),
    );
    let acknowledged = 0;
    let retries = 0;
    const statusCounts = new Map<string, number>();
    let next = 0;
    const crashes = { server: false, database: false };
    let databaseBackAtMs = 0;
    let recoveredAfterMs: number | null = null;

    const client = async () => {
      while (next < batches) {
        const batch = next++;
        const deadlineMs = Date.now() + 90_000;
        for (;;) {
          if (Date.now() > deadlineMs) throw new Error(`batch ${batch} was not acknowledged within 90 s`);
          const { outcome, statuses } = await send(server!.port, batchBodies[batch]!);
          if (outcome === "acknowledged") {
            acknowledged++;
            for (const status of statuses) statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
            if (databaseBackAtMs > 0 && recoveredAfterMs === null) recoveredAfterMs = Date.now() - databaseBackAtMs;
            break;
          }
          retries++;
          await sleep(100);
        }
      }
    };
    const chaos = async () => {
      while (acknowledged < batches / 4) await sleep(5);
      // The server dies mid-ingestion, with batches in flight; a new process takes over.
      await killAndWait(server!.child, "SIGKILL");
      crashes.server = true;
      server = await startApiServer({ port, databaseUrl });
      while (acknowledged < batches / 2) await sleep(5);
      // PostgreSQL crashes under the running server; the server must answer 503 meanwhile and recover alone.
      pg.stop("immediate");
      crashes.database = true;
      await sleep(1_500);
      pg.start();
      databaseBackAtMs = Date.now();
    };
    await Promise.all([...Array.from({ length: clients }, client), chaos()]);

    console.log(`ingestion crash test: ${acknowledged} batches acknowledged after ${retries} retries, statuses ${JSON.stringify(Object.fromEntries(statusCounts))}, answered again ${recoveredAfterMs} ms after PostgreSQL came back`);
    expect(crashes).toEqual({ server: true, database: true });
    expect(acknowledged).toBe(batches);
    expect(retries).toBeGreaterThan(0);
    expect(server!.alive()).toBe(true); // the database's crash did not take the server down (postgres-js #1208)
    expect(recoveredAfterMs).not.toBeNull();
    expect(recoveredAfterMs!).toBeLessThan(15_000);
    // Every result is accepted or, for a batch that committed but whose answer was lost, duplicate.
    expect([...statusCounts.keys()].sort()).toEqual(expect.arrayContaining(["accepted"]));
    expect((statusCounts.get("accepted") ?? 0) + (statusCounts.get("duplicate") ?? 0)).toBe(batches * eventsPerBatch);

    const check = await openDatabase({ url: databaseUrl, poolMax: 2 });
    try {
      const [stored] = await executeRows<{ total: string; distinct: string }>(
        check.db,
        sql`select count(*)::text as total, count(distinct event_id)::text as distinct from usage_events where source = ${source}`,
      );
      expect(stored).toEqual({ total: String(batches * eventsPerBatch), distinct: String(batches * eventsPerBatch) });
      // The server's rollup worker catches up; then the rollups are exactly the raw events.
      const deadlineMs = Date.now() + 30_000;
      for (;;) {
        const [pending] = await executeRows<{ pending: boolean }>(
          check.db,
          sql`select exists (select 1 from usage_events where (txid, seq) > (select last_txid, last_seq from metering_cursors where name = 'rollup')) as pending`,
        );
        if (!pending?.pending) break;
        if (Date.now() > deadlineMs) throw new Error("the rollup worker did not catch up within 30 s");
        await sleep(200);
      }
      const verified = await verifyRollups(check.db, { from: new Date(Date.now() - 3 * 3_600_000), to: new Date(Date.now() + 3_600_000) });
      expect({ differences: verified.differences, values: verified.uniqueValueDifferences }).toEqual({ differences: 0, values: 0 });
      expect(verified.windows).toBeGreaterThan(0);
      expect((await verifyLedger(check.db)).differenceCount).toBe(0);
    } finally {
      await check.close();
    }
  }, 240_000);
});
