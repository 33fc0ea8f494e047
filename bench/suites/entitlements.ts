import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { executeRows } from "@/db/execute";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { createTestDatabase } from "@/test/database";
import { createLeanHttpClient, type LeanHttpClient } from "../lean-http-client";
import { buildApp, freePort, startServer, stopServer } from "../next-server";
import { loadMonthOfUsage } from "../month-of-usage";
import { reportFigures, type Figures } from "../report";

/*
 * Entitlement checks over HTTP against the production server (`next start`, built into
 * .next-bench-ent) on a fresh database with 10,000 subscribed customers.
 *   1. steady 1,000 checks/s for 30 s (open loop: requests are sent on schedule whatever the
 *      latency) → check_p50_ms, check_p99_ms;
 *   2. closed loop with 32 clients for 10 s → max_checks_per_s;
 *   3. 50 clients reserving one unit at a time against one customer's hard limit (200 agent
 *      requests on Free) → reserve_admitted must equal reserve_limit.
 * Before them, every customer is checked once (16 clients), so the steady phase measures a warm
 * server — each customer's definition cached, as after a production server's first minutes —
 * rather than 10,000 cache fills. The client is bench/lean-http-client.ts (keep-alive, up to
 * 256 connections, so the open loop is never held back by the client: a request due while all
 * are busy waits in its queue, and that wait counts in its latency); it is lighter than
 * node:http or fetch, which matters when the client shares the CPU with the server. Latency is measured from each request's scheduled send time,
 * not from when it actually left, so a stalled client or server cannot hide delay
 * (no coordinated omission). Knobs for quicker runs: BENCH_ENT_SECONDS (default 30),
 * BENCH_SKIP_BUILD=1 to reuse an existing build.
 *
 * Production-sized data first (issue 16): a month of usage — BENCH_ENT_EVENTS events (default
 * 1,000,000, times BENCH_SCALE) over the last 30 days, so the current month's partition is full as
 * on day 30 — rolled up, and billing anchors spread over the day to the second (off the hour, so
 * checks read partial edge hours). An earlier version checked customers with no events and
 * whole-hour anchors, and so missed a check that read the whole month's partition.
 */
const customerCount = 10_000;
const monthEvents = Math.round(Number(process.env.BENCH_ENT_EVENTS ?? 1_000_000) * Number(process.env.BENCH_SCALE ?? 1));
const steadyRatePerSecond = 1_000;
const steadySeconds = Number(process.env.BENCH_ENT_SECONDS ?? 30);
const maxClients = 32;
const maxSeconds = 10;
const reserveClients = 50;
const reserveLimit = 200; // Free plan: agent_requests allowancePerPeriod "200", overage "block"
const distDir = ".next-bench-ent";
const root = path.resolve(import.meta.dirname, "../..");
const features = ["agent_tokens", "agent_requests", "code_reviews", "editor_access", "premium_models", "support_tier", "sso"];

export async function run(): Promise<void> {
  const database = await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  let server: ChildProcess | undefined;
  let client: LeanHttpClient | undefined;
  try {
    const { db } = database;
    await seedCatalog(db);
    // Set-based: 10,000 customers and their subscriptions in two statements. Anchors are spread
    // over the past month and over the day (to the second); half on Free, half on Pro, a fifth
    // of Pro with a spend limit.
    await executeRows(db, sql`
      insert into customers (external_id, name, email, kind)
      select 'bench-' || g, 'Bench ' || g, 'bench' || g || '@example.com', 'individual'
      from generate_series(0, ${customerCount - 1}) g`);
    await executeRows(db, sql`
      insert into customers (external_id, name, email, kind) values ('bench-reserve', 'Reserve', 'reserve@example.com', 'individual')`);
    await executeRows(db, sql`
      with versions as (
        select distinct on (p.key) p.key, v.id from catalog_plan_versions v join catalog_plans p on p.id = v.plan_id
        where v.status = 'published' order by p.key, v.version desc
      )
      insert into subscriptions (customer_id, plan_version_id, status, billing_anchor, spend_limit_micros)
      select c.id,
             (select id from versions where key = case when c.external_id = 'bench-reserve' or hashtext(c.external_id) % 2 = 0 then 'free' else 'pro' end),
             'active',
             date_trunc('second', now()) - ((abs(hashtext(c.external_id)) % 2592000) || ' seconds')::interval,
             case when abs(hashtext(c.external_id)) % 10 = 1 then 50000000 end
      from customers c`);
    const month = await loadMonthOfUsage(db, { customers: customerCount, events: monthEvents, now: new Date(), log: console.log });
    console.log(`a month of usage: ${month.events} events, rolled up in ${month.seconds.toFixed(1)} s`);
    const { key } = await createApiKey(db, { actor: systemActor("bench"), name: "bench", scopes: ["entitlements"] });
    if (process.env.BENCH_SKIP_BUILD !== "1" || !fs.existsSync(path.join(root, distDir))) await buildApp(distDir);
    const port = await freePort();
    server = await startServer({ distDir, port, databaseUrl: database.url, readyPath: "/api/v1/entitlements/check" });
    // Up to 256 connections, so the open loop is never held back by the client.
    client = createLeanHttpClient(`http://127.0.0.1:${port}`, { connectionsMax: 256, timeoutMs: 30_000 });
    const check = (body: Record<string, unknown>) => post(client!, key, body);

    // Warm-up: JIT, pools, definition caches; sequential first so a cold route is not hit 16 times at once.
    const firstMs = performance.now();
    for (let index = 0; index < 50; index++) await check(randomCheck());
    console.log(`warm-up: 50 sequential checks in ${Math.round(performance.now() - firstMs)} ms`);
    let nextCustomer = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (nextCustomer < customerCount) await check({ customer: `bench-${nextCustomer++}`, feature: "agent_tokens" });
      }),
    );
    await closedLoop(check, 16, 3);
    const steady = await steadyLoad(check);
    const max = await closedLoop(check, maxClients, maxSeconds);
    const admitted = await reserveRace(check);
    const reserved = await executeRows<{ total: string }>(
      db,
      sql`select coalesce(sum(r.quantity), 0)::text as total from entitlement_reservations r
          join customers c on c.id = r.customer_id where c.external_id = 'bench-reserve' and r.status = 'pending'`,
    );
    if (reserved[0]?.total !== String(admitted)) throw new Error(`admitted ${admitted} but ${reserved[0]?.total} held`);

    const figures: Figures = {
      month_events: { value: month.events, unit: "events" },
      check_p50_ms: { value: percentile(steady.latenciesMs, 0.5), unit: "ms" },
      check_p99_ms: { value: percentile(steady.latenciesMs, 0.99), unit: "ms" },
      check_p999_ms: { value: percentile(steady.latenciesMs, 0.999), unit: "ms" },
      check_max_ms: { value: percentile(steady.latenciesMs, 1), unit: "ms" },
      steady_checks_per_s: { value: Math.round(steady.latenciesMs.length / steady.seconds), unit: "checks/s" },
      steady_errors: { value: steady.errors, unit: "requests" },
      max_checks_per_s: { value: Math.round(max.completed / max.seconds), unit: "checks/s" },
      reserve_admitted: { value: admitted, unit: "units" },
      reserve_limit: { value: reserveLimit, unit: "units" },
    };
    reportFigures("entitlements", figures);
  } finally {
    client?.close();
    if (server?.pid) await stopServer(server);
    await database.drop();
  }
}

type Check = (body: Record<string, unknown>) => Promise<{ allowed: boolean; reason: string }>;

function randomCheck(): Record<string, unknown> {
  const customer = `bench-${crypto.randomInt(customerCount)}`;
  const feature = features[crypto.randomInt(features.length)]!;
  return { customer, feature, quantity: String(1 + crypto.randomInt(100)) };
}

async function post(client: LeanHttpClient, key: string, body: Record<string, unknown>): Promise<{ allowed: boolean; reason: string }> {
  const answer = await client.post("/api/v1/entitlements/check", { "content-type": "application/json", authorization: `Bearer ${key}` }, JSON.stringify(body));
  if (answer.status !== 200) throw new Error(`check ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as { allowed: boolean; reason: string };
}

/** Open loop: requests leave on a fixed schedule (in 1 ms ticks) regardless of how long earlier ones take. */
async function steadyLoad(check: Check): Promise<{ latenciesMs: number[]; errors: number; seconds: number }> {
  const total = steadyRatePerSecond * steadySeconds;
  // Everything the loop needs is made up front, and no request's promise is kept once it has
  // settled: the client allocates little while it measures, so its own garbage collection
  // (which would delay sends, and count against the server) stays out of the figures.
  const bodies = Array.from({ length: total }, () => randomCheck());
  const latenciesMs = new Float64Array(total);
  let answered = 0;
  let errors = 0;
  let firstError: unknown;
  let settled = 0;
  let allSettled: () => void = () => {};
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  const settle = () => {
    settled++;
    if (settled === total) allSettled();
  };
  const begunMs = performance.now();
  for (let index = 0; index < total; index++) {
    const dueMs = begunMs + (index * 1000) / steadyRatePerSecond;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    // Latency counts from when the request was due, so a stalled client cannot hide server delay.
    check(bodies[index]!).then(
      // A request sent up to 1 ms early (the 1 ms tick) and answered before its due time counts 0.
      () => {
        latenciesMs[answered++] = Math.max(0, performance.now() - dueMs);
        settle();
      },
      (error: unknown) => {
        errors++;
        firstError ??= error;
        settle();
      },
    );
  }
  await done;
  if (errors > 0) console.log(`steady load: ${errors} failed checks, the first: ${String(firstError)}`);
  return { latenciesMs: Array.from(latenciesMs.subarray(0, answered)), errors, seconds: (performance.now() - begunMs) / 1000 };
}

async function closedLoop(check: Check, clients: number, seconds: number): Promise<{ completed: number; seconds: number }> {
  const begunMs = performance.now();
  const deadlineMs = begunMs + seconds * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadlineMs) {
        // A failed or timed-out check is not counted as throughput; the run goes on.
        if (await check(randomCheck()).then(() => true, () => false)) completed++;
      }
    }),
  );
  return { completed, seconds: (performance.now() - begunMs) / 1000 };
}

/** 50 clients each reserve one unit until refused; the sum admitted must be exactly the limit. */
async function reserveRace(check: Check): Promise<number> {
  let admitted = 0;
  const deadlineMs = performance.now() + 60_000;
  await Promise.all(
    Array.from({ length: reserveClients }, async () => {
      while (performance.now() < deadlineMs) {
        const answer = await check({ customer: "bench-reserve", feature: "agent_requests", quantity: "1", reserve: true, ttlSeconds: 600 });
        if (!answer.allowed) {
          if (answer.reason !== "allowance_exhausted") throw new Error(`reserve refused with ${answer.reason}`);
          return;
        }
        admitted++;
      }
    }),
  );
  return admitted;
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return -1;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
