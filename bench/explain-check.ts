import fs from "node:fs";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import * as schema from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { ingestEvents } from "@/server/metering/ingest-events";
import { openDatabase } from "@/db/client";
import { createTestDatabase, databaseUrl } from "@/test/database";
import { loadMonthOfUsage } from "./month-of-usage";

/*
 * `tsx bench/explain-check.ts`: EXPLAIN ANALYZE of the entitlement check's statement as the hot
 * pool runs it (prepared, plan_cache_mode = force_generic_plan), on a database holding a month
 * of usage (BENCH_EVENTS, default 700,000, in the current month's partition and the previous
 * one), 10,000 customers whose billing anchors are spread over the day (off the hour), and a
 * few thousand events not yet rolled up. Prints the plan (auto_explain, nested statements) of a
 * check for a customer with an off-hour anchor, and the mean time of 500 checks of random customers.
 */
const customers = 10_000;
const events = Number(process.env.BENCH_EVENTS ?? 700_000);

async function main(): Promise<void> {
  // BENCH_CHECK_REUSE=<database> measures a database kept by an earlier run (BENCH_KEEP=1) without loading it again.
  const reuse = process.env.BENCH_CHECK_REUSE;
  const keep = process.env.BENCH_KEEP === "1" || reuse !== undefined;
  const database = reuse
    ? { ...(await openDatabase({ url: databaseUrl(reuse), poolMax: 4, statementTimeoutMs: 0 })), name: reuse, url: databaseUrl(reuse) }
    : await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  try {
    const { db } = database;
    const now = new Date();
    if (!reuse) await loadData(db, now);
    await measureChecks(database.url, db);
  } finally {
    if (keep) {
      await database.close();
      console.log(`kept database ${database.name} (BENCH_CHECK_REUSE=${database.name}; drop it when done)`);
    } else if ("drop" in database) await database.drop();
  }
}

async function loadData(db: Db, now: Date): Promise<void> {
  {
    await seedCatalog(db);
    await executeRows(db, sql`
      insert into customers (external_id, name, email, kind)
      select 'bench-' || g, 'Bench ' || g, 'bench' || g || '@example.com', 'individual' from generate_series(0, ${customers - 1}) g`);
    // Anchors spread over the past month and over the day, to the second (as a signup time is).
    await executeRows(db, sql`
      with versions as (
        select distinct on (p.key) p.key, v.id from catalog_plan_versions v join catalog_plans p on p.id = v.plan_id
        where v.status = 'published' order by p.key, v.version desc
      )
      insert into subscriptions (customer_id, plan_version_id, status, billing_anchor, spend_limit_micros)
      select c.id, (select id from versions where key = 'pro'), 'active',
             date_trunc('second', ${now.toISOString()}::timestamptz - ((abs(hashtext(c.external_id)) % 2592000) || ' seconds')::interval),
             case when abs(hashtext(c.external_id)) % 10 = 1 then 500000000 end
      from customers c`);
    const loaded = await loadMonthOfUsage(db, { customers, events, now, log: console.log });
    console.log(`month loaded: ${loaded.events} events, ${loaded.rolledUp} rolled up in ${loaded.seconds.toFixed(1)} s`);
    // Events past the rollup cursor, as there always are while ingestion runs.
    for (let batch = 0; batch < 4; batch++) {
      await ingestEvents(
        db,
        Array.from({ length: 500 }, (_, index) => ({
          specversion: "1.0",
          id: `pending-${batch}-${index}`,
          source: "bench/pending",
          type: "agent.llm.completion",
          subject: `bench-${index % 50}`,
          data: { tokens: 100, model: "claude-sonnet" },
        })),
      );
    }
    const [partition] = await executeRows<{ name: string; rows: string }>(
      db,
      sql`select c.relname as name, c.reltuples::bigint::text as rows from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'usage_events'::regclass order by c.reltuples desc limit 1`,
    );
    console.log(`largest partition: ${partition?.name} (~${partition?.rows} rows)`);
  }
}

async function measureChecks(url: string, db: Db): Promise<void> {
  const notices: string[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: (notice) => notices.push(String(notice.message)),
    connection: { TimeZone: "UTC", plan_cache_mode: "force_generic_plan" },
  });
  const hot = drizzle(client, { schema }) as unknown as Db;
  try {
    // Late in their period: the oldest anchors (every anchor is within the past 30 days), among the heavier customers.
    const late = await executeRows<{ external_id: string }>(
      db,
      sql`select c.external_id from customers c join subscriptions s on s.customer_id = c.id
          where c.external_id in (select 'bench-' || g from generate_series(0, 999) g)
          order by s.billing_anchor limit 200`,
    );
    const customer = late[0]?.external_id ?? "bench-1";
    for (const usagePrefix of [false, true]) {
      for (let index = 0; index < 8; index++) await checkEntitlement(hot, { customer, feature: "agent_tokens" }, { usagePrefix });
      await hot.execute(sql`load 'auto_explain'`);
      await hot.execute(sql`set auto_explain.log_min_duration = 0`);
      await hot.execute(sql`set auto_explain.log_analyze = on`);
      await hot.execute(sql`set auto_explain.log_buffers = on`);
      await hot.execute(sql`set auto_explain.log_nested_statements = on`);
      await hot.execute(sql`set auto_explain.log_level = notice`);
      notices.length = 0;
      await checkEntitlement(hot, { customer, feature: "agent_tokens" }, { usagePrefix });
      await hot.execute(sql`set auto_explain.log_min_duration = -1`);
      console.log(`\nEXPLAIN ANALYZE of the check for ${customer} (late in its period), ${usagePrefix ? "with the usage prefix" : "without"}:\n`);
      for (const notice of notices) console.log(notice);
    }
    const random = Array.from({ length: 500 }, () => `bench-${Math.floor(Math.random() * customers)}`);
    for (const [name, sample] of [["late in their period (200 of the 1,000 heaviest, oldest anchors)", late.map((row) => row.external_id)], ["random (500)", random]] as const) {
      // First checks fill the definition cache and the prefixes (as a server's first minutes do); then both ways, interleaved.
      for (const each of sample) for (const usagePrefix of [false, true]) await checkEntitlement(hot, { customer: each, feature: "agent_tokens" }, { usagePrefix });
      const timesMs = { without: [] as number[], with: [] as number[] };
      for (const [index, each] of sample.entries()) {
        for (const usagePrefix of index % 2 === 0 ? [false, true] : [true, false]) {
          const startedMs = performance.now();
          await checkEntitlement(hot, { customer: each, feature: "agent_tokens" }, { usagePrefix });
          timesMs[usagePrefix ? "with" : "without"].push(performance.now() - startedMs);
        }
      }
      const [load] = fs.readFileSync("/proc/loadavg", "utf8").split(" ");
      const at = (list: number[], fraction: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(fraction * list.length))]!;
      const line = (list: number[]) => `p50 ${at(list, 0.5).toFixed(3)} ms, p99 ${at(list, 0.99).toFixed(3)} ms, max ${at(list, 1).toFixed(3)} ms`;
      console.log(`\nchecks of customers ${name}, warm, one connection, sequential (load average ${load}):`);
      console.log(`  without the prefix: ${line(timesMs.without)}`);
      console.log(`  with the prefix:    ${line(timesMs.with)}`);
      console.log(`  ratio without/with: p50 ${(at(timesMs.without, 0.5) / at(timesMs.with, 0.5)).toFixed(2)} x, p99 ${(at(timesMs.without, 0.99) / at(timesMs.with, 0.99)).toFixed(2)} x`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
