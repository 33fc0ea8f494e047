import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import type { Db } from "@/db/client";
import { openDatabase } from "@/db/client";
import { executeRows } from "@/db/execute";
import { migrateDatabase } from "@/db/migrate";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { lagPercentiles } from "@/server/metering/get-ingestion-stats";
import { rolledUpSql } from "@/server/metering/rollup-sql";
import { createTestDatabase, databaseUrl, type TestDatabase } from "@/test/database";
import { cpuPerUnit, readCpuUsage, type CpuUsage } from "../cpu-usage";
import { createLeanHttpClient, type LeanHttpClient } from "../lean-http-client";
import { loadMonthOfUsage } from "../month-of-usage";
import { buildApp, freePort, startServer, stopServer } from "../next-server";
import { reportFigures, type Figures } from "../report";

/*
 * Production, not one endpoint (issue 16): a month of data, then every load at once against the
 * production server (`next start`, built into .next-bench-mixed, its in-process workers on —
 * the rollup worker among them), then each load alone, so the cost of sharing is visible.
 *
 * Data: 10,000 customers with subscriptions (half Free, half Pro), billing anchors spread over
 * the past month and over the day to the second; a month of usage (BENCH_MIXED_EVENTS, default
 * 10,000,000 events, loaded set-based into the partitions and rolled up: bench/month-of-usage.ts).
 * Two cohorts of 1,000 subscriptions (even and odd customers among the first 2,000, the heaviest)
 * are anchored a month and up to 12 hours ago, so each has one period due to close.
 *
 * Loads, for BENCH_MIXED_SECONDS (default 120) at once:
 *   - ingestion: 20,000 events/s (20 batches of 1,000 a second, paced) for the 10,000 customers;
 *     metering lag from the server's lag histogram, after the rollup worker caught up;
 *   - entitlement checks: 1,000/s, open loop, latency from each request's due time;
 *   - console reads: 20 tRPC queries/s over HTTP with a signed-in session (customer.list, a page
 *     with or without a search, and customer.get), open loop;
 *   - a period close of 1,000 subscriptions (closeDuePeriods in a process of its own, as the job runs it, 500 per
 *     transaction) started with the others.
 * Then each alone for the same time (the close: the second cohort).
 *
 * Figures: check_p99_ms, lag_p99_ms, read_p99_ms, close_s, errors, server_rss_mb, each also with
 * `_alone`. server_rss_mb is the peak resident memory of the server's process group. The CPU budget:
 * cores_busy (and per part) is what the loads kept busy at once; cores_needed is the CPU-seconds per
 * offered second until the rollups caught up, at once, and cores_needed_alone_sum the same summed over
 * the loads alone: what the offered mix costs, against machine_cores.
 * Knobs: BENCH_MIXED_EVENTS, BENCH_MIXED_SECONDS, BENCH_MIXED_RATE, BENCH_MIXED_LOADS / BENCH_MIXED_ALONE (which loads
 * run at once / alone, e.g. `checks`), BENCH_SKIP_BUILD=1 (reuse the build),
 * BENCH_SERVER_LOG=<file>, BENCH_KEEP=1 (keep the loaded database; its name is printed) and
 * BENCH_MIXED_REUSE=<kept database> (measure it again without loading: the month's usage ends when it was loaded, and a
 * close cohort already closed is not closed again, so reuse it for checks, ingestion and reads).
 */
const customerCount = 10_000;
/** Event ids unique to this run, so a run on a kept database (BENCH_MIXED_REUSE) stores new events, not duplicates. */
const runNonce = crypto.randomBytes(4).toString("hex");
const cohortSize = 1_000;
const monthEvents = Number(process.env.BENCH_MIXED_EVENTS ?? 10_000_000);
const seconds = Number(process.env.BENCH_MIXED_SECONDS ?? 120);
const ingestBatch = 1_000;
/** BENCH_MIXED_RATE scales every offered rate (a smoke run at 0.1; the figures use 1). */
const rate = Number(process.env.BENCH_MIXED_RATE ?? 1);
const ingestBatchesPerSecond = 20 * rate;
const checksPerSecond = 1_000 * rate;
const readsPerSecond = 20 * rate;
const closeBatchSize = 500;
const distDir = ".next-bench-mixed";
const root = path.resolve(import.meta.dirname, "../..");
const features = ["agent_tokens", "agent_requests", "code_reviews", "editor_access", "premium_models", "support_tier", "sso"];
const models = ["claude-opus", "claude-sonnet", "claude-haiku"];

/** BENCH_MIXED_LOADS (e.g. `ingest,checks`) narrows the "all at once" run, to find which load costs what; default all. */
function mixedLoads(): Loads {
  const names = (process.env.BENCH_MIXED_LOADS ?? "ingest,checks,reads,close").split(",");
  return { ingest: names.includes("ingest"), checks: names.includes("checks"), reads: names.includes("reads"), close: names.includes("close") ? "even" : null };
}

type Loads = { ingest: boolean; checks: boolean; reads: boolean; close: "even" | "odd" | null };
type LoadResult = {
  checkMs: number[];
  readMs: number[];
  lagP99Ms: number | null;
  lagP50Ms: number | null;
  closeSeconds: number | null;
  closed: number;
  errors: number;
  rssMb: number;
  ingested: number;
  /** Ingestion requests answered 503 ingest_overloaded (the ingest governor), each sent again after its Retry-After. */
  shed: number;
  /** From the first send to the last answer (longer than the offered seconds when the server fell behind or shed). */
  loadSeconds: number;
  /** CPU-seconds per second over loadSeconds, per part (see coresUsed). */
  cores: Cores | null;
  /** CPU-seconds per offered second, per part, counted until the rollups caught up: the cores this load needs to keep up. */
  coresNeeded: Cores | null;
};
const emptyResult = (): LoadResult => ({ checkMs: [], readMs: [], lagP99Ms: null, lagP50Ms: null, closeSeconds: null, closed: 0, errors: 0, rssMb: 0, ingested: 0, shed: 0, loadSeconds: 0, cores: null, coresNeeded: null });
const notRun: LoadResult = emptyResult();

export async function run(): Promise<void> {
  const reuse = process.env.BENCH_MIXED_REUSE;
  const database = reuse
    ? { ...(await openDatabase({ url: databaseUrl(reuse), poolMax: 4, statementTimeoutMs: 0 })), name: reuse, url: databaseUrl(reuse), drop: async () => {} }
    : await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  const keep = process.env.BENCH_KEEP === "1" || reuse !== undefined;
  let server: ChildProcess | undefined;
  let client: LeanHttpClient | undefined;
  try {
    const { db } = database;
    const startedMs = performance.now();
    await printDatabaseSettings(db);
    const month = reuse ? await keptMonth(database) : await loadMonth(db);
    const { key } = await createApiKey(db, { actor: systemActor("bench"), name: "bench-mixed", scopes: ["ingest", "entitlements", "read"] });
    const sessionSecret = crypto.randomBytes(24).toString("hex");
    const [user] = await executeRows<{ id: string }>(db, sql`insert into users (email, name, role) values ('bench-support@example.com', 'Bench Support', 'support') on conflict (email) do update set name = excluded.name returning id`);
    const cookie = `next-auth.session-token=${await encode({ token: { sub: user!.id, email: "bench-support@example.com", name: "Bench Support" }, secret: sessionSecret, maxAge: 8 * 3600 })}`;

    if (process.env.BENCH_SKIP_BUILD !== "1" || !fs.existsSync(path.join(root, distDir))) await buildApp(distDir);
    const port = await freePort();
    process.env.NEXTAUTH_SECRET = sessionSecret;
    server = await startServer({ distDir, port, databaseUrl: database.url, readyPath: "/api/v1/entitlements/check", logFile: process.env.BENCH_SERVER_LOG });
    client = createLeanHttpClient(`http://127.0.0.1:${port}`, { connectionsMax: 256, timeoutMs: 60_000 });
    const origin = `http://127.0.0.1:${port}`;
    const context: Context = { db, databaseUrl: database.url, client, key, cookie, origin, serverPid: server.pid!, batch: 0 };
    console.log(`data ready in ${((performance.now() - startedMs) / 1000).toFixed(0)} s; warming up`);
    await warmUp(context);

    const mixed = await runLoads(context, mixedLoads());
    console.log("mixed done; each load alone");
    // BENCH_MIXED_ALONE (e.g. `checks`) narrows the "each alone" runs the same way; a load not run reports -1.
    const alone = (process.env.BENCH_MIXED_ALONE ?? "ingest,checks,reads,close").split(",");
    const aloneRun = (name: string, loads: Loads) => (alone.includes(name) ? runLoads(context, loads) : Promise.resolve(notRun));
    const ingestAlone = await aloneRun("ingest", { ingest: true, checks: false, reads: false, close: null });
    const checksAlone = await aloneRun("checks", { ingest: false, checks: true, reads: false, close: null });
    const readsAlone = await aloneRun("reads", { ingest: false, checks: false, reads: true, close: null });
    const closeAlone = await aloneRun("close", { ingest: false, checks: false, reads: false, close: "odd" });

    const figures: Figures = {
      month_events: { value: month.events, unit: "events" },
      offered_rate: { value: rate, unit: "x" },
      seconds: { value: seconds, unit: "s" },
      check_p50_ms: { value: percentile(mixed.checkMs, 0.5), unit: "ms" },
      check_p99_ms: { value: percentile(mixed.checkMs, 0.99), unit: "ms" },
      check_p99_ms_alone: { value: percentile(checksAlone.checkMs, 0.99), unit: "ms" },
      checks_per_s: { value: Math.round(mixed.checkMs.length / seconds), unit: "checks/s" },
      lag_p50_ms: { value: mixed.lagP50Ms ?? -1, unit: "ms" },
      lag_p99_ms: { value: mixed.lagP99Ms ?? -1, unit: "ms" },
      lag_p99_ms_alone: { value: ingestAlone.lagP99Ms ?? -1, unit: "ms" },
      ingested_per_s: { value: Math.round(mixed.ingested / Math.max(mixed.loadSeconds, seconds)), unit: "events/s" },
      ingest_shed: { value: mixed.shed, unit: "requests" },
      ingested_per_s_alone: { value: Math.round(ingestAlone.ingested / Math.max(ingestAlone.loadSeconds, seconds)), unit: "events/s" },
      load_s: { value: Math.round(mixed.loadSeconds), unit: "s" },
      read_p99_ms: { value: percentile(mixed.readMs, 0.99), unit: "ms" },
      read_p99_ms_alone: { value: percentile(readsAlone.readMs, 0.99), unit: "ms" },
      close_s: { value: mixed.closeSeconds ?? -1, unit: "s" },
      close_s_alone: { value: closeAlone.closeSeconds ?? -1, unit: "s" },
      closed_invoices: { value: mixed.closed, unit: "invoices" },
      errors: { value: mixed.errors, unit: "errors" },
      errors_alone: { value: ingestAlone.errors + checksAlone.errors + readsAlone.errors + closeAlone.errors, unit: "errors" },
      retries: { value: connectionRetries, unit: "requests" },
      server_rss_mb: { value: mixed.rssMb, unit: "MB" },
      server_rss_mb_alone: { value: Math.max(ingestAlone.rssMb, checksAlone.rssMb, readsAlone.rssMb, closeAlone.rssMb), unit: "MB" },
      // The CPU budget: what the loads kept busy at once, and what each needed alone, summed (the
      // machine would need that many cores to run them together without queueing).
      machine_cores: { value: os.cpus().length, unit: "cores" },
      cores_busy: { value: round2(totalCores(mixed.cores)), unit: "cores" },
      cores_busy_postgres: { value: round2(mixed.cores?.postgres ?? -1), unit: "cores" },
      cores_busy_server: { value: round2(mixed.cores?.server ?? -1), unit: "cores" },
      cores_busy_load_generator: { value: round2(mixed.cores?.client ?? -1), unit: "cores" },
      cores_needed: { value: round2(totalCores(mixed.coresNeeded)), unit: "cores" },
      cores_needed_alone_sum: { value: round2([ingestAlone, checksAlone, readsAlone, closeAlone].reduce((sum, each) => sum + totalCores(each.coresNeeded), 0)), unit: "cores" },
    };
    reportFigures("mixed", figures);
  } finally {
    client?.close();
    if (server?.pid) await stopServer(server);
    if (keep) {
      await database.close();
      console.log(`kept database ${database.name} (BENCH_MIXED_REUSE=${database.name}; drop it when done)`);
    } else await database.drop();
  }
}

type Context = { db: Db; databaseUrl: string; client: LeanHttpClient; key: string; cookie: string; origin: string; serverPid: number; batch: number };

/** The close as the job runs it, in a process of its own (bench/close-cohort.ts), so its work never stalls the load generator. */
async function closeInItsOwnProcess(databaseUrl: string, subscriptionIds: string[]): Promise<{ created: number; failed: { code: string; message: string }[] }> {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "bench/close-cohort.ts"), databaseUrl, String(closeBatchSize)], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stdin.end(subscriptionIds.join("\n"));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`the close process exited ${code}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { created: number; failed: { code: string; message: string }[] };
}

/** The settings that decide PostgreSQL's cost under this load, so figures from clusters set up differently are not compared unawares. */
async function printDatabaseSettings(db: Db): Promise<void> {
  const rows = await executeRows<{ name: string; setting: string }>(
    db,
    sql`select name, current_setting(name) as setting from pg_settings
        where name in ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'synchronous_commit', 'fsync', 'full_page_writes')
        order by name`,
  );
  console.log(`PostgreSQL: ${rows.map((row) => `${row.name}=${row.setting}`).join(", ")} (bench/postgres/production.conf is what the README's figures use)`);
}

/** 10,000 customers and subscriptions, set-based; the two close cohorts anchored a month and up to 12 h ago. */
async function loadMonth(db: Db): Promise<{ events: number }> {
  await seedCatalog(db);
  await createCustomers(db);
  const month = await loadMonthOfUsage(db, { customers: customerCount, events: monthEvents, now: new Date(), log: console.log });
  console.log(`a month of usage: ${month.events} events, rolled up in ${month.seconds.toFixed(1)} s`);
  return month;
}

/** A database an earlier BENCH_KEEP=1 run kept: migrations since are applied as a deploy would. */
async function keptMonth(database: TestDatabase): Promise<{ events: number }> {
  await migrateDatabase(database);
  const [row] = await executeRows<{ events: string }>(database.db, sql`select count(*)::text as events from usage_events`);
  console.log(`kept database ${database.name}: ${row!.events} events`);
  return { events: Number(row!.events) };
}

async function createCustomers(db: Db): Promise<void> {
  await executeRows(db, sql`
    insert into customers (external_id, name, email, kind)
    select 'bench-' || g, 'Bench ' || g, 'bench' || g || '@example.com', 'individual'
    from generate_series(0, ${customerCount - 1}) g`);
  await executeRows(db, sql`
    with versions as (
      select distinct on (p.key) p.key, v.id from catalog_plan_versions v join catalog_plans p on p.id = v.plan_id
      where v.status = 'published' order by p.key, v.version desc
    ), numbered as (
      select c.id, substring(c.external_id from 7)::int as n, abs(hashtext(c.external_id)) as h from customers c
    )
    insert into subscriptions (customer_id, plan_version_id, status, billing_anchor, spend_limit_micros)
    select id,
           (select id from versions where key = case when h % 2 = 0 then 'free' else 'pro' end),
           'active',
           case when n < ${2 * cohortSize} then date_trunc('second', now()) - interval '1 month' - ((h % 43200) || ' seconds')::interval
                else date_trunc('second', now()) - ((h % 2592000) || ' seconds')::interval end,
           case when h % 10 = 1 then 50000000 end
    from numbered`);
}

async function warmUp(context: Context): Promise<void> {
  for (let index = 0; index < 50; index++) await check(context, randomCheck()).catch(() => {});
  await Promise.all(Array.from({ length: 5 }, () => read(context).catch(() => {})));
  await postBatch(context, eventsBody(context)).catch(() => {});
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < customerCount) await check(context, { customer: `bench-${next++}`, feature: "agent_tokens" }).catch(() => {});
    }),
  );
}

async function runLoads(context: Context, loads: Loads): Promise<LoadResult> {
  const label = Object.entries(loads).filter(([, on]) => on).map(([name]) => name).join("+");
  await catchUp(context.db);
  await executeRows(context.db, sql`truncate metering_lag_histogram`);
  const result: LoadResult = emptyResult();
  const errorSamples: string[] = [];
  const fail = (what: string, error: unknown) => {
    result.errors++;
    if (errorSamples.length < 5) errorSamples.push(`${what}: ${String(error).slice(0, 300)}`);
  };
  let sampling = true;
  const rssSampler = (async () => {
    while (sampling) {
      result.rssMb = Math.max(result.rssMb, processGroupRssMb(context.serverPid));
      await sleep(500);
    }
  })();
  const begunMs = performance.now();
  const cpuBefore = readCpuUsage(context.serverPid);
  const work: Promise<void>[] = [];
  if (loads.checks) work.push(openLoop(checksPerSecond, () => check(context, randomCheck()), result.checkMs, (error) => fail("check", error)));
  if (loads.reads) work.push(openLoop(readsPerSecond, () => read(context), result.readMs, (error) => fail("read", error)));
  if (loads.ingest) {
    work.push(
      openLoop(ingestBatchesPerSecond, async () => {
        const outcome = await postBatch(context, eventsBody(context), () => result.shed++);
        result.ingested += outcome.accepted;
        if (outcome.rejected > 0) throw new Error(`${outcome.rejected} events rejected`);
      }, [], (error) => fail("ingest", error)),
    );
  }
  if (loads.close) {
    const cohort = loads.close;
    work.push(
      (async () => {
        const ids = await executeRows<{ id: string }>(
          context.db,
          sql`select s.id from subscriptions s join customers c on c.id = s.customer_id
              where substring(c.external_id from 7)::int < ${2 * cohortSize} and substring(c.external_id from 7)::int % 2 = ${cohort === "even" ? 0 : 1}`,
        );
        const closeStartedMs = performance.now();
        try {
          const outcome = await closeInItsOwnProcess(context.databaseUrl, ids.map((row) => row.id));
          result.closed = outcome.created;
          for (const failure of outcome.failed) fail("close", `${failure.code}: ${failure.message}`);
          if (outcome.created !== ids.length) fail("close", `${outcome.created} invoices for ${ids.length} subscriptions`);
        } catch (error) {
          fail("close", error);
        }
        result.closeSeconds = (performance.now() - closeStartedMs) / 1000;
      })(),
    );
  }
  await Promise.all(work);
  const loadSeconds = (performance.now() - begunMs) / 1000;
  result.loadSeconds = loadSeconds;
  result.cores = coresUsed(cpuBefore, readCpuUsage(context.serverPid), loadSeconds);
  if (loads.ingest) {
    await catchUp(context.db);
    const lag = lagPercentiles(
      (await executeRows<{ bucket: number; count: string }>(context.db, sql`select bucket, sum(count) as count from metering_lag_histogram group by bucket order by bucket`)).map((row) => ({
        bucket: Number(row.bucket),
        count: Number(row.count),
      })),
    );
    result.lagP50Ms = lag.p50Ms;
    result.lagP99Ms = lag.p99Ms;
  }
  result.coresNeeded = coresUsed(cpuBefore, readCpuUsage(context.serverPid), seconds);
  sampling = false;
  await rssSampler;
  console.log(
    `${label}: ${loadSeconds.toFixed(1)} s; checks ${result.checkMs.length} (p99 ${percentile(result.checkMs, 0.99).toFixed(1)} ms), reads ${result.readMs.length} (p99 ${percentile(result.readMs, 0.99).toFixed(1)} ms), ` +
      `ingested ${result.ingested} (lag p99 ${result.lagP99Ms ?? "-"} ms, ${result.shed} batches shed and resent), close ${result.closeSeconds?.toFixed(1) ?? "-"} s (${result.closed} invoices), errors ${result.errors}, rss ${result.rssMb} MB, ` +
      `cores busy: PostgreSQL ${result.cores?.postgres.toFixed(2) ?? "-"}, server ${result.cores?.server.toFixed(2) ?? "-"}, load generator ${result.cores?.client.toFixed(2) ?? "-"}; ` +
      `needed per offered second (until the rollups caught up) ${totalCores(result.coresNeeded).toFixed(2)}`,
  );
  for (const sample of errorSamples) console.log(`  error: ${sample}`);
  return result;
}

/** Sends `send` `perSecond` times a second for `seconds` on schedule (open loop); latency counts from the due time. */
async function openLoop(perSecond: number, send: () => Promise<unknown>, latencies: number[], onError: (error: unknown) => void): Promise<void> {
  const total = Math.round(perSecond * seconds);
  const begunMs = performance.now();
  // Only the requests in flight are held; the loop never waits for answers (an earlier version
  // awaited batches of 4,000 settled and unsettled requests, so every few seconds one slow answer
  // held back the next sends, which then left in a burst).
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < total; index++) {
    const dueMs = begunMs + (index * 1000) / perSecond;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    const request: Promise<void> = send().then(
      () => void latencies.push(Math.max(0, performance.now() - dueMs)),
      (error: unknown) => onError(error),
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
}

function randomCheck(): Record<string, unknown> {
  return { customer: `bench-${crypto.randomInt(customerCount)}`, feature: features[crypto.randomInt(features.length)]!, quantity: String(1 + crypto.randomInt(100)) };
}

let connectionRetries = 0;

/**
 * Sends again when the connection broke before an answer (ECONNRESET: the server closed a
 * keep-alive connection as the request went out), as a client library does; both operations
 * are safe to repeat (a check without `reserve`, events deduplicated by id). Counted in `retries`.
 */
async function withReconnect<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const message = String(error);
      if (attempt >= 2 || !/ECONNRESET|EPIPE|connection closed by the server|socket has been ended/.test(message)) throw error;
      connectionRetries++;
    }
  }
}

async function check(context: Context, body: Record<string, unknown>): Promise<void> {
  const answer = await withReconnect(() => context.client.post("/api/v1/entitlements/check", { "content-type": "application/json", authorization: `Bearer ${context.key}` }, JSON.stringify(body)));
  if (answer.status !== 200) throw new Error(`check ${answer.status}: ${answer.body.slice(0, 200)}`);
}

/** One console query as the browser sends it: tRPC over HTTP (GET, superjson input) with the session cookie. */
async function read(context: Context): Promise<void> {
  const pick = crypto.randomInt(3);
  const [procedure, input] =
    pick === 0
      ? ["customer.list", { limit: 25 }]
      : pick === 1
        ? ["customer.list", { limit: 25, search: `bench-${crypto.randomInt(customerCount)}` }]
        : ["customer.get", { id: `bench-${crypto.randomInt(customerCount)}` }];
  const response = await fetch(`${context.origin}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { cookie: context.cookie } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${procedure} ${response.status}: ${text.slice(0, 200)}`);
}

/** A batch of 1,000 events for the 10,000 customers, happening now (into the open periods). */
function eventsBody(context: Context): string {
  const batch = context.batch++;
  const now = Date.now();
  const events = [];
  for (let offset = 0; offset < ingestBatch; offset++) {
    const n = batch * ingestBatch + offset;
    const kind = n % 4;
    events.push({
      specversion: "1.0",
      id: `mixed-${runNonce}-${n}`,
      source: "bench/mixed",
      type: kind < 2 ? "agent.llm.completion" : kind === 2 ? "agent.request" : "code_review.completed",
      subject: `bench-${(n * 7919) % customerCount}`,
      time: new Date(now - (n % 5_000)).toISOString(),
      data: kind < 2 ? { tokens: (n % 3_997) + 1, model: models[n % 3] } : kind === 3 ? { repo: `repo-${n % 20}` } : {},
    });
  }
  return JSON.stringify(events);
}

/** Sends a batch as an edge client would: a 503 ingest_overloaded is sent again after its Retry-After (nothing of it was stored). */
async function postBatch(context: Context, body: string, onShed: () => void = () => {}): Promise<{ accepted: number; rejected: number }> {
  for (;;) {
    const answer = await withReconnect(() => context.client.post("/api/v1/events", { "content-type": "application/cloudevents-batch+json", authorization: `Bearer ${context.key}` }, body));
    if (answer.status === 503 && answer.body.includes('"ingest_overloaded"')) {
      onShed();
      await sleep((answer.retryAfterSeconds ?? 1) * 1000);
      continue;
    }
    if (answer.status !== 200) throw new Error(`events ${answer.status}: ${answer.body.slice(0, 200)}`);
    return JSON.parse(answer.body) as { accepted: number; rejected: number };
  }
}

/** Waits until the server's rollup worker has rolled up every stored event. */
async function catchUp(db: Db): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const [row] = await executeRows<{ pending: boolean }>(db, sql`select exists (select 1 from usage_events where not ${rolledUpSql()}) as pending`);
    if (!row?.pending) return;
    await sleep(250);
  }
  throw new Error("the rollup worker did not catch up within 10 minutes");
}

/** Resident memory of every process in the group `pgid` leads (next start and any child), in MB. */
function processGroupRssMb(pgid: number): number {
  let kb = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (which may hold spaces) start after the last ")": state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return Math.round(kb / 1024);
}

type Cores = { postgres: number; server: number; client: number };

/**
 * How many of the machine's cores each part kept busy between two readings (CPU-seconds per second):
 * PostgreSQL (every postgres process on the machine: run on a quiet one), the server's process group
 * and this load generator. The close's own process is not counted (its statements are, as PostgreSQL's).
 */
function coresUsed(before: CpuUsage | null, after: CpuUsage | null, seconds: number): Cores | null {
  const perMicrosecond = cpuPerUnit(before, after, seconds * 1_000_000);
  return perMicrosecond && { postgres: perMicrosecond.postgresUs, server: perMicrosecond.serverUs, client: perMicrosecond.clientUs };
}

const totalCores = (cores: Cores | null) => (cores ? cores.postgres + cores.server + cores.client : 0);
const round2 = (value: number) => Math.round(value * 100) / 100;

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return -1;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
