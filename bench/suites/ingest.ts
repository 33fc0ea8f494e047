import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers, meters } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { lagPercentiles } from "@/server/metering/get-ingestion-stats";
import { rolledUpSql } from "@/server/metering/rollup-sql";
import { verifyRollups } from "@/server/metering/verify-rollups";
import { createTestDatabase } from "@/test/database";
import { ratio, reportFigures, type Figures } from "../report";
import { cpuPerUnit, readCpuUsage } from "../cpu-usage";
import { createLeanHttpClient, type LeanHttpClient } from "../lean-http-client";
import { buildApp, freePort, startServer, stopServer } from "../next-server";

/*
 * End-to-end ingestion through the production server (`next start`) into PostgreSQL.
 * Environment knobs (for quicker runs while developing; the reported figures use the defaults):
 *   BENCH_INGEST_EVENTS (default 1,000,000), BENCH_INGEST_LAG_SECONDS (default 20),
 *   BENCH_SKIP_BUILD=1 to reuse an existing .next-bench build, BENCH_SERVER_LOG=<file> for the server's output.
 */
const eventsTotal = Number(process.env.BENCH_INGEST_EVENTS ?? 1_000_000);
const batchSize = 1_000;
const clients = 4;
const lagRatePerSecond = 20_000;
const lagSeconds = Number(process.env.BENCH_INGEST_LAG_SECONDS ?? 20);
const customerCount = 1_000;
const distDir = ".next-bench";
const root = path.resolve(import.meta.dirname, "../..");

export async function run(): Promise<void> {
  const database = await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  let server: ChildProcess | undefined;
  let client: LeanHttpClient | undefined;
  try {
    const { db } = database;
    await setUpCatalog(db);
    const { key } = await createApiKey(db, { actor: systemActor("bench"), name: "bench", scopes: ["ingest", "read"] });
    if (process.env.BENCH_SKIP_BUILD !== "1" || !fs.existsSync(path.join(root, distDir))) await buildApp(distDir);
    const port = await freePort();
    server = await startServer({ distDir, port, databaseUrl: database.url, readyPath: "/api/v1/events", logFile: process.env.BENCH_SERVER_LOG });
    // The lean client (keep-alive, no fetch machinery): the load generator shares the 2 cores
    // with the server and PostgreSQL, so every microsecond it saves goes to what is measured.
    const http = createLeanHttpClient(`http://127.0.0.1:${port}`, { connectionsMax: 32, timeoutMs: 120_000 });
    client = http;

    const startMs = Date.now();
    const bodies = Array.from({ length: Math.ceil(eventsTotal / batchSize) }, (_, index) => batchBody(index, startMs));
    await postAll(http, key, bodies.slice(0, 4), "warm-up"); // JIT and pool warm-up; these events count in the totals
    const cpuBefore = readCpuUsage(server.pid);
    const first = await timed(() => postAll(http, key, bodies, "first pass"));
    const cpu = cpuPerUnit(cpuBefore, readCpuUsage(server.pid), eventsTotal);
    const second = await timed(() => postAll(http, key, bodies, "second pass"));
    const stored = await count(db, sql`select count(*) as count from usage_events`);
    if (first.result.duplicates + first.result.accepted !== eventsTotal) throw new Error(`first pass: ${JSON.stringify(first.result)}`);

    const copyPerSecond = await copyBenchmark(database.url, bodies);

    await catchUp(db);
    await executeRows(db, sql`truncate metering_lag_histogram`);
    await steadyLoad(http, key, startMs);
    await catchUp(db);
    const lag = lagPercentiles(
      (await executeRows<{ bucket: number; count: string }>(db, sql`select bucket, sum(count) as count from metering_lag_histogram group by bucket order by bucket`)).map(
        (row) => ({ bucket: Number(row.bucket), count: Number(row.count) }),
      ),
    );
    const verify = await verifyRollups(db, { from: new Date(startMs - 3 * 3_600_000), to: new Date(Date.now() + 3_600_000) });

    const httpPerSecond = eventsTotal / first.seconds;
    const figures: Figures = {
      http_events_per_s: { value: Math.round(httpPerSecond), unit: "events/s" },
      copy_events_per_s: { value: Math.round(copyPerSecond), unit: "events/s" },
      http_to_copy: { value: ratio(httpPerSecond, copyPerSecond), unit: "x" },
      duplicate_events_per_s: { value: Math.round(eventsTotal / second.seconds), unit: "events/s" },
      stored_events: { value: stored, unit: "events" },
      lag_p50_ms: { value: lag.p50Ms ?? -1, unit: "ms" },
      lag_p99_ms: { value: lag.p99Ms ?? -1, unit: "ms" },
      rollup_differences: { value: verify.differences + verify.uniqueValueDifferences, unit: "differences" },
      // Where the first pass's CPU went (the rollup worker's share is in PostgreSQL's and the server's).
      ...(cpu
        ? {
            http_postgres_cpu_us_per_event: { value: round1(cpu.postgresUs), unit: "us" },
            http_server_cpu_us_per_event: { value: round1(cpu.serverUs), unit: "us" },
            http_client_cpu_us_per_event: { value: round1(cpu.clientUs), unit: "us" },
          }
        : {}),
    };
    reportFigures("ingest", figures);
  } finally {
    client?.close();
    if (server?.pid) await stopServer(server);
    await database.drop();
  }
}

async function setUpCatalog(db: Db): Promise<void> {
  await db.insert(customers).values(
    Array.from({ length: customerCount }, (_, index) => ({
      externalId: `bench-${index}`,
      name: `Bench ${index}`,
      email: `bench${index}@example.com`,
      kind: "team" as const,
    })),
  );
  const base = { eventType: "llm.completion", filters: [], groupBy: [] as string[] };
  await db.insert(meters).values([
    { ...base, key: "bench_requests", name: "Requests", aggregation: "count" },
    { ...base, key: "bench_tokens", name: "Tokens", aggregation: "sum", valuePath: "tokens", groupBy: ["model"], filters: [{ property: "cached", operator: "not_equals", value: "true" }] },
    { ...base, key: "bench_repos", name: "Repos", aggregation: "unique_count", valuePath: "repo" },
  ]);
}

const models = ["small", "medium", "large"];

/** Deterministic batch `index`: 1,000 events over the last hour for 1,000 customers (plus 1% unknown subjects). */
function batchBody(index: number, startMs: number, prefix = "e"): string {
  const events = [];
  for (let offset = 0; offset < batchSize; offset++) {
    const n = index * batchSize + offset;
    events.push({
      specversion: "1.0",
      id: `${prefix}${n}`,
      source: "bench/edge",
      type: "llm.completion",
      subject: n % 100 === 99 ? `unknown-${n % 7}` : `bench-${n % customerCount}`,
      time: new Date(startMs - ((n * 7919) % 3_600_000)).toISOString(),
      data: { tokens: (n % 977) + 1, model: models[n % 3], repo: `repo-${n % 13}`, cached: n % 10 === 0 },
    });
  }
  return JSON.stringify(events);
}

type PassResult = { accepted: number; duplicates: number; rejected: number };

async function postAll(client: LeanHttpClient, key: string, bodies: string[], label: string): Promise<PassResult> {
  let next = 0;
  const totals: PassResult = { accepted: 0, duplicates: 0, rejected: 0 };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let index = next++; index < bodies.length; index = next++) {
        const result = await post(client, key, bodies[index]!);
        totals.accepted += result.accepted;
        totals.duplicates += result.duplicates;
        totals.rejected += result.rejected;
      }
    }),
  );
  if (totals.rejected > 0) throw new Error(`${label}: ${totals.rejected} events rejected`);
  return totals;
}

async function post(client: LeanHttpClient, key: string, body: string): Promise<PassResult> {
  for (let attempt = 0; ; attempt++) {
    const answer = await client.post("/api/v1/events", { "content-type": "application/cloudevents-batch+json", authorization: `Bearer ${key}` }, body);
    if (answer.status === 200) {
      const { accepted, duplicates, rejected } = JSON.parse(answer.body) as PassResult;
      return { accepted, duplicates, rejected };
    }
    // A client retries a failed batch: exactly-once makes that safe.
    if (attempt >= 3 || answer.status < 500) throw new Error(`POST ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}

/**
 * The same rows loaded by COPY into a table with the same dedup key (primary key (source, id)),
 * the fastest PostgreSQL itself can take them: the ceiling for the HTTP path.
 */
async function copyBenchmark(url: string, bodies: string[]): Promise<number> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(`create table bench_copy_events (
      seq bigserial, source text not null, event_id text not null, type text not null, subject text not null,
      occurred_at timestamptz not null, ingested_at timestamptz not null default now(), data jsonb not null,
      primary key (source, event_id))`);
    const lines = bodies.map((body) =>
      (JSON.parse(body) as { id: string; source: string; type: string; subject: string; time: string; data: unknown }[])
        .map((event) => [event.source, event.id, event.type, event.subject, event.time, copyEscape(JSON.stringify(event.data))].join("\t"))
        .join("\n") + "\n",
    );
    const startedMs = performance.now();
    const writable = (await client
      .unsafe(`copy bench_copy_events (source, event_id, type, subject, occurred_at, data) from stdin`)
      .writable()) as Writable;
    await pipeline(async function* () {
      for (const chunk of lines) yield chunk;
    }, writable);
    const seconds = (performance.now() - startedMs) / 1000;
    const [row] = await client<{ count: string }[]>`select count(*) as count from bench_copy_events`;
    if (Number(row?.count) !== eventsTotal) throw new Error(`COPY stored ${row?.count} rows`);
    return eventsTotal / seconds;
  } finally {
    await client.end({ timeout: 5 });
  }
}

function copyEscape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

/** New events at a steady 20,000/s (20 batches of 1,000 a second, paced), with the rollup worker running in the server. */
async function steadyLoad(client: LeanHttpClient, key: string, startMs: number): Promise<void> {
  const batchesPerSecond = lagRatePerSecond / batchSize;
  const total = Math.round(batchesPerSecond * lagSeconds);
  const bodies = Array.from({ length: total }, (_, index) => batchBody(index, startMs, "steady"));
  const begunMs = performance.now();
  const inFlight: Promise<PassResult>[] = [];
  for (let index = 0; index < total; index++) {
    const dueMs = begunMs + (index * 1000) / batchesPerSecond;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    inFlight.push(post(client, key, bodies[index]!));
  }
  await Promise.all(inFlight);
}

/** Waits until the server's rollup worker has rolled up every stored event. */
async function catchUp(db: Db): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const [row] = await executeRows<{ pending: boolean }>(db, sql`select exists (select 1 from usage_events where not ${rolledUpSql()}) as pending`);
    if (!row?.pending) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the rollup worker did not catch up within 10 minutes");
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

async function count(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await executeRows<{ count: string }>(db, query);
  return Number(row?.count ?? 0);
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const startedMs = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - startedMs) / 1000 };
}
