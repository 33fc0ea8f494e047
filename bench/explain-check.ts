import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import * as schema from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { ingestEvents } from "@/server/metering/ingest-events";
import { createTestDatabase } from "@/test/database";
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
  const database = await createTestDatabase({ poolMax: 4 });
  try {
    const { db } = database;
    const now = new Date();
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

    const notices: string[] = [];
    const client = postgres(database.url, {
      max: 1,
      onnotice: (notice) => notices.push(String(notice.message)),
      connection: { TimeZone: "UTC", plan_cache_mode: "force_generic_plan" },
    });
    const hot = drizzle(client, { schema }) as unknown as Db;
    try {
      const [offHour] = await executeRows<{ external_id: string }>(
        db,
        sql`select c.external_id from customers c join subscriptions s on s.customer_id = c.id
            where extract(minute from s.billing_anchor) between 10 and 50 and c.external_id in ('bench-1', 'bench-2', 'bench-3', 'bench-4', 'bench-5', 'bench-6')
            order by c.external_id limit 1`,
      );
      const customer = offHour?.external_id ?? "bench-1";
      for (let index = 0; index < 8; index++) await checkEntitlement(hot, { customer, feature: "agent_tokens" });
      await hot.execute(sql`load 'auto_explain'`);
      await hot.execute(sql`set auto_explain.log_min_duration = 0`);
      await hot.execute(sql`set auto_explain.log_analyze = on`);
      await hot.execute(sql`set auto_explain.log_buffers = on`);
      await hot.execute(sql`set auto_explain.log_nested_statements = on`);
      await hot.execute(sql`set auto_explain.log_level = notice`);
      notices.length = 0;
      await checkEntitlement(hot, { customer, feature: "agent_tokens" });
      console.log(`\nEXPLAIN ANALYZE of the check for ${customer} (anchor off the hour):\n`);
      for (const notice of notices) console.log(notice);
      await hot.execute(sql`set auto_explain.log_min_duration = -1`);
      const sample = Array.from({ length: 500 }, () => `bench-${Math.floor(Math.random() * customers)}`);
      // First check of each fills the definition cache (as a server's first minutes do); the second is timed.
      for (const each of sample) await checkEntitlement(hot, { customer: each, feature: "agent_tokens" });
      const timesMs: number[] = [];
      for (const each of sample) {
        const startedMs = performance.now();
        await checkEntitlement(hot, { customer: each, feature: "agent_tokens" });
        timesMs.push(performance.now() - startedMs);
      }
      timesMs.sort((a, b) => a - b);
      const at = (fraction: number) => timesMs[Math.min(timesMs.length - 1, Math.floor(fraction * timesMs.length))]!.toFixed(3);
      console.log(`\nchecks of ${sample.length} random customers, warm, one connection, sequential: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
    } finally {
      await client.end({ timeout: 5 });
    }
  } finally {
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
