import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { createTestDatabase } from "@/test/database";
import { ratio, reportFigures } from "../report";

const periodStart = new Date("2026-01-01T00:00:00Z");
const closeAt = new Date("2026-02-01T01:00:00Z");
/** Hours of the month each subscription is active in (every 30th hour, offset per subscription): 78 rollup rows each. */
const activeHours = 24;
const batchSize = 500;
const subscriptionsLarge = Number(process.env.BENCH_CLOSE_SUBSCRIPTIONS ?? 10_000);

/** `tokensPerEventScale`: the 10×-fewer-events run carries the same token volume in 10× larger events, so only the event count differs. */
type Scenario = { subscriptions: number; events: number; tokensPerEventScale: number };
type Measured = Scenario & { seconds: number; rollupRows: number; invoices: number; ledgerTransactions: number; generateSeconds: number };

/**
 * Period close at scale. Usage is not ingested event by event: the hourly rollup rows a month of
 * usage produces are generated directly with set-based SQL (per subscription, 24 active hours ×
 * {two models of LLM tokens, agent requests, every 4th hour code reviews}; the `events` column and
 * the sums carry the event volume), because close reads only rollups. The same rollup rows with 10×
 * the events (larger counts and sums) must cost the same to close.
 * Measured: `closeDuePeriods` for every subscription on a fresh database — rating, invoices,
 * billed usage and ledger posting, 500 subscriptions per database transaction.
 */
export async function run(): Promise<void> {
  // Warm-up (JIT, connection pool, template database), not reported.
  await measure({ subscriptions: 500, events: 500_000, tokensPerEventScale: 1 });
  const large = await measure({ subscriptions: subscriptionsLarge, events: subscriptionsLarge * 1_000, tokensPerEventScale: 1 });
  const small = await measure({ subscriptions: subscriptionsLarge / 10, events: (subscriptionsLarge / 10) * 1_000, tokensPerEventScale: 1 });
  const fewEvents = await measure({ subscriptions: subscriptionsLarge, events: subscriptionsLarge * 100, tokensPerEventScale: 10 });
  for (const result of [large, small, fewEvents]) {
    console.error(
      `close: ${result.subscriptions} subscriptions, ${result.events} events in ${result.rollupRows} rollup rows (generated in ${result.generateSeconds.toFixed(1)} s): ${result.seconds.toFixed(2)} s, ${result.invoices} invoices, ${result.ledgerTransactions} ledger transactions`,
    );
  }
  reportFigures("close", {
    close_10k_s: { value: large.seconds, unit: "s" },
    close_subs_per_s: { value: ratio(large.subscriptions, large.seconds), unit: "subscriptions/s" },
    growth_subs_10x: { value: ratio(large.seconds, small.seconds), unit: "x" },
    growth_events_10x: { value: ratio(large.seconds, fewEvents.seconds), unit: "x" },
  });
}

async function measure(scenario: Scenario): Promise<Measured> {
  const database = await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  try {
    const { db } = database;
    const generateStartedMs = Date.now();
    await seedCatalog(db, { clock: fixedClock(periodStart) });
    const rollupRows = await generate(db, scenario);
    const generateSeconds = (Date.now() - generateStartedMs) / 1000;
    const startedMs = performance.now();
    const result = await closeDuePeriods(db, { until: closeAt, batchSize }, { clock: fixedClock(closeAt), actor: systemActor("bench") });
    const seconds = (performance.now() - startedMs) / 1000;
    if (result.failed.length > 0 || result.created !== scenario.subscriptions) throw new Error(`close: ${result.created} created, failures ${JSON.stringify(result.failed.slice(0, 3))}`);
    const verify = await verifyLedger(db);
    if (verify.differenceCount !== 0) throw new Error("close: ledger inconsistent after the close");
    const [counts] = await executeRows<{ invoices: string; transactions: string }>(db, sql`select (select count(*) from invoices)::text as invoices, (select count(*) from ledger_transactions)::text as transactions`);
    return { ...scenario, seconds, rollupRows, generateSeconds, invoices: Number(counts!.invoices), ledgerTransactions: Number(counts!.transactions) };
  } finally {
    await database.drop();
  }
}

/** Customers (a third teams on Team with 5 seats, the rest on Pro), subscriptions anchored on Jan 1, and their January rollups. */
async function generate(db: Db, scenario: Scenario): Promise<number> {
  await executeRows(
    db,
    sql`insert into customers (external_id, name, email, kind)
        select 'bench_' || n, 'Bench ' || n, 'bench' || n || '@example.test', case when n % 3 = 0 then 'team' else 'individual' end
        from generate_series(1, ${scenario.subscriptions}) n`,
  );
  await executeRows(
    db,
    sql`insert into subscriptions (customer_id, plan_version_id, status, seats, billing_anchor)
        select c.id, v.id, 'active', case when c.kind = 'team' then 5 else 1 end, ${periodStart.toISOString()}::timestamptz
        from customers c
        join lateral (select pv.id from catalog_plan_versions pv join catalog_plans p on p.id = pv.plan_id
                      where p.key = case when c.kind = 'team' then 'team' else 'pro' end order by pv.version desc limit 1) v on true
        where c.external_id like 'bench\\_%'`,
  );
  const rowsPerSubscription = activeHours * 2 + activeHours + activeHours / 4;
  // Events per rollup row so the month holds `events` in all (a fractional part is spread by a hash); ~20,000 tokens per completion.
  const perRowMilli = Math.round((scenario.events * 1000) / (scenario.subscriptions * rowsPerSubscription));
  await executeRows(
    db,
    sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value)
        select meter_id, subject, window_start, dimensions, events,
               case when tokens then events * ${scenario.tokensPerEventScale} * (15000 + (n * 7 + h * 13) % 10000) end, case when tokens then 25000 end
        from (
          select m.id as meter_id, 'bench_' || n as subject, n, h, t.meter_key = 'llm_tokens' as tokens,
                 ${periodStart.toISOString()}::timestamptz + ((h * 30 + n % 30) * interval '1 hour') as window_start, t.dimensions,
                 greatest(1, ${Math.floor(perRowMilli / 1000)} + case when (n * 7919 + h * 104729 + t0.salt) % 1000 < ${perRowMilli % 1000} then 1 else 0 end) as events
          from generate_series(1, ${scenario.subscriptions}) n
          cross join generate_series(0, ${activeHours - 1}) h
          cross join (values ('llm_tokens', 'sonnet', 1, 1), ('llm_tokens', 'other', 1, 2), ('agent_requests', null, 1, 3), ('reviews', null, 4, 4)) as t0(meter_key, model, every, salt)
          cross join lateral (select t0.meter_key, case when t0.model is null then '{}'::jsonb
                                                      else jsonb_build_object('model', case when t0.model = 'other' then (array['opus', 'haiku', 'gpt-4o'])[1 + (n + h) % 3] else t0.model end) end as dimensions) t
          join catalog_meters m on m.key = t.meter_key
          where h % t0.every = 0
        ) rows`,
  );
  await executeRows(db, sql`analyze`);
  const [count] = await executeRows<{ rows: string; events: string }>(db, sql`select count(*)::text as rows, sum(events)::text as events from usage_rollups`);
  console.error(`close: generated ${count!.rows} rollup rows holding ${count!.events} events for ${scenario.subscriptions} subscriptions`);
  return Number(count!.rows);
}
