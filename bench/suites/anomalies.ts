import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { detectAnomalies } from "@/server/anomalies/detect-anomalies";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, databaseUrl } from "@/test/database";
import { openDatabase } from "@/db/client";
import { ratio, reportFigures } from "../report";

/**
 * Full size: 10,000 customers (the figure). On the shared development machine run it scaled: BENCH_ANOMALY_CUSTOMERS=1000.
 * `BENCH_KEEP=1` keeps both databases (their names are printed) to time a daily run again later with
 * `BENCH_ANOMALY_REUSE=<large>,<small>` (no generation, no first fill); drop them afterwards.
 */
const customersLarge = Number(process.env.BENCH_ANOMALY_CUSTOMERS ?? 10_000);
const days = 60;
const asOf = new Date("2026-06-30T15:30:00Z");

type Measured = { customers: number; rollupRows: number; generateSeconds: number; firstFillSeconds: number; dailySeconds: number; series: number; opened: number; timingsMs: Record<string, number> };

/**
 * Anomaly detection at scale: N customers × 4 meters (tokens by two models, requests, reviews,
 * active repositories) × 60 days of hourly rollups, generated set-based (a daily rhythm, weekdays
 * busier, noise; 1% of customers spike on opus and 1% stop sending two days ago, so the
 * evidence path runs too). Measured on a fresh database:
 * - the first detection run, which also fills `anomaly_usage_days` from every rollup of the history
 *   (once per installation);
 * - then the steady-state `daily` run (refreshes the last 8 days from rollups, reads 8 weeks of
 *   daily rows per series, runs every detector, persists idempotently): `detect_<N>_customers_s`.
 * Growth: the same at N/10 customers.
 */
export async function run(): Promise<void> {
  const reuse = process.env.BENCH_ANOMALY_REUSE?.split(",").filter(Boolean);
  if (reuse && reuse.length !== 2) throw new Error("BENCH_ANOMALY_REUSE names two kept databases: the large one, then the small one.");
  const large = reuse ? await remeasure(reuse[0]!) : await measure(customersLarge);
  const small = reuse ? await remeasure(reuse[1]!) : await measure(Math.max(10, Math.round(customersLarge / 10)));
  for (const result of [large, small]) {
    console.error(
      `anomalies: ${result.customers} customers, ${result.rollupRows} rollup rows (generated in ${result.generateSeconds.toFixed(1)} s); first run with the usage-days fill ${result.firstFillSeconds.toFixed(2)} s; daily run ${result.dailySeconds.toFixed(2)} s over ${result.series} series, opened ${result.opened}; phases ${JSON.stringify(result.timingsMs)}`,
    );
  }
  const label = (customers: number) => (customers % 1000 === 0 ? `${customers / 1000}k` : String(customers));
  reportFigures("anomalies", {
    [`detect_${label(large.customers)}_customers_s`]: { value: large.dailySeconds, unit: "s" },
    ...(reuse ? {} : { [`first_fill_${label(large.customers)}_customers_s`]: { value: large.firstFillSeconds, unit: "s" as const } }),
    detect_series_per_s: { value: ratio(large.series, large.dailySeconds), unit: "series/s" },
    detect_growth_customers_10x: { value: ratio(large.dailySeconds, small.dailySeconds), unit: "x" },
  });
}

async function measure(customers: number): Promise<Measured> {
  // As `npm run job -- anomalies:detect` runs it: no statement timeout (the first fill reads every rollup of the history).
  const database = await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  try {
    const { db } = database;
    const generateStartedMs = performance.now();
    await seedCatalog(db, { clock: fixedClock("2026-01-01T00:00:00Z") });
    const rollupRows = await generate(db, customers);
    const generateSeconds = (performance.now() - generateStartedMs) / 1000;
    const clock = fixedClock(asOf);
    let startedMs = performance.now();
    await detectAnomalies(db, { clock, mode: "daily" });
    const firstFillSeconds = (performance.now() - startedMs) / 1000;
    startedMs = performance.now();
    const daily = await detectAnomalies(db, { clock, mode: "daily" });
    const dailySeconds = (performance.now() - startedMs) / 1000;
    const [opened] = await executeRows<{ count: number }>(db, sql`select count(*)::int as count from anomalies`);
    return { customers, rollupRows, generateSeconds, firstFillSeconds, dailySeconds, series: daily.seriesExamined, opened: opened!.count, timingsMs: daily.timingsMs };
  } finally {
    if (process.env.BENCH_KEEP === "1") {
      console.error(`anomalies: kept database ${database.name} (${customers} customers)`);
      await database.close();
    } else {
      await database.drop();
    }
  }
}

/**
 * The daily run again on a database an earlier `BENCH_KEEP=1` run kept (already filled, detection
 * already run once at the same instant): to measure the daily run when the machine is quiet
 * without generating 70 million rollups again. Generation and first-fill figures are not measured.
 */
async function remeasure(name: string): Promise<Measured> {
  const handle = await openDatabase({ url: databaseUrl(name), poolMax: 4, statementTimeoutMs: 0 });
  try {
    const { db } = handle;
    const [counts] = await executeRows<{ customers: number; rollups: string }>(
      db,
      sql`select (select count(*)::int from customers where external_id like 'bench\_%') as customers, (select count(*)::text from usage_rollups) as rollups`,
    );
    const startedMs = performance.now();
    const daily = await detectAnomalies(db, { clock: fixedClock(asOf), mode: "daily" });
    const dailySeconds = (performance.now() - startedMs) / 1000;
    const [opened] = await executeRows<{ count: number }>(db, sql`select count(*)::int as count from anomalies`);
    return { customers: counts!.customers, rollupRows: Number(counts!.rollups), generateSeconds: 0, firstFillSeconds: 0, dailySeconds, series: daily.seriesExamined, opened: opened!.count, timingsMs: daily.timingsMs };
  } finally {
    await handle.close();
  }
}

/** Customers on Team (5 seats) and their hourly rollups for the 60 days before `asOf`. */
async function generate(db: Db, customers: number): Promise<number> {
  await executeRows(
    db,
    sql`insert into customers (external_id, name, email, kind)
        select 'bench_' || n, 'Bench ' || n, 'bench' || n || '@example.test', 'team' from generate_series(1, ${customers}) n`,
  );
  await executeRows(
    db,
    sql`insert into subscriptions (customer_id, plan_version_id, status, seats, billing_anchor)
        select c.id, (select pv.id from catalog_plan_versions pv join catalog_plans p on p.id = pv.plan_id where p.key = 'team' order by pv.version desc limit 1),
               'active', 5, '2026-01-01T00:00:00Z'::timestamptz
        from customers c where c.external_id like 'bench\\_%'`,
  );
  const firstHour = new Date(Math.floor(asOf.getTime() / 3_600_000) * 3_600_000 - days * 86_400_000);
  // One statement per day of every customer (~1,200,000 rows at 10,000), in time order: metering's
  // rollup worker writes the rollups hour by hour as events arrive, so on disk a day's rollups lie
  // together and the BRIN on window_start finds them (written customer by customer, every block
  // range would span all 60 days and a refresh of eight days would read most of the table).
  for (let day = 0; day < days; day++) {
    await executeRows(
      db,
      sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value)
          select m.id, 'bench_' || n, w, t.dimensions, e, case when t.meter_key = 'llm_tokens' then e * (20000 + (n * 31 + h) % 5000) end, case when t.meter_key = 'llm_tokens' then 25000 end
          from generate_series(${day * 24}::int, ${day * 24 + 23}::int) h
          cross join generate_series(1, ${customers}::int) n
          cross join lateral (select ${firstHour.toISOString()}::timestamptz + h * interval '1 hour' as w) win
          cross join (values ('llm_tokens', '{"model":"sonnet"}'::jsonb, 4), ('llm_tokens', '{"model":"opus"}'::jsonb, 1), ('agent_requests', '{}'::jsonb, 5), ('reviews', '{}'::jsonb, 1), ('active_repos', '{}'::jsonb, 1)) as t(meter_key, dimensions, scale)
          join catalog_meters m on m.key = t.meter_key
          cross join lateral (
            select greatest(0, round(t.scale * (1 + n % 7)
                   * (case when extract(isodow from w) >= 6 then 0.5 else 1 end)
                   * (0.6 + 0.4 * sin(pi() * (extract(hour from w) - 6) / 12) ^ 2)
                   * (0.85 + ((n * 7919 + h * 104729) % 300) / 1000.0)
                   * (case when n % 100 = 7 and t.dimensions = '{"model":"opus"}'::jsonb and h >= ${days * 24 - 30} then 12 else 1 end)
                   * (case when n % 100 = 42 and h >= ${days * 24 - 48} then 0 else 1 end))::int) as e
          ) q
          where e > 0`,
    );
  }
  await executeRows(db, sql`analyze`);
  const [count] = await executeRows<{ rows: string }>(db, sql`select count(*)::text as rows from usage_rollups`);
  return Number(count!.rows);
}
