import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import * as schema from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { refreshCustomerSummaries } from "@/server/customers/refresh-customer-summaries";
import { benchLists, benchSearches } from "../console-cases";
import { createTestDatabase } from "@/test/database";
import { reportFigures } from "../report";

/**
 * The console's lists at scale: `BENCH_CONSOLE_SCALE` × 1,000,000 customers, 5,000,000 invoices
 * and 10,000,000 audit rows (default 1; e.g. 0.05 for a quick run), loaded set-based with
 * generate_series. The bulk load runs with triggers off (session_replication_role = replica, as a
 * backfill would) and then builds the customer summaries with the same set-based refresh the job
 * runs. Measured, warm (median of 3 runs each): every list's first page for each sort in both
 * directions, each filter (with the default sort and with every sort), and global search for
 * names, emails, external ids, invoice numbers and Stripe ids. Prints `slowest_list_ms` and
 * `search_ms` (the slowest search), and the EXPLAIN ANALYZE of the slowest list query on stderr.
 */
const scale = Number(process.env.BENCH_CONSOLE_SCALE ?? 1);
const customerCount = Math.max(1000, Math.round(1_000_000 * scale));
const invoicesPerCustomer = 5;
const auditCount = Math.max(1000, Math.round(10_000_000 * scale));
const runsPerCase = 3;

export async function run(): Promise<void> {
  const database = await createTestDatabase({ poolMax: 2, statementTimeoutMs: 0 });
  const loader = database;
  // A second client that remembers the last statement, to EXPLAIN the slowest case.
  const client = postgres(database.url, { max: 1, onnotice: () => {}, connection: { TimeZone: "UTC" } });
  let lastQuery: { text: string; params: unknown[] } | undefined;
  const db = drizzle(client, { schema, logger: { logQuery: (text, params) => void (lastQuery = { text, params }) } }) as unknown as Db;
  try {
    const loadStartedMs = performance.now();
    await seedCatalog(loader.db);
    await load(loader.db);
    const summarizedStartedMs = performance.now();
    await refreshCustomerSummaries(loader.db, new Date());
    const summarizeSeconds = (performance.now() - summarizedStartedMs) / 1000;
    await executeRows(loader.db, sql`vacuum analyze`);
    const loadSeconds = (performance.now() - loadStartedMs) / 1000;
    console.error(`console: ${customerCount} customers, ${customerCount * invoicesPerCustomer} invoices, ${auditCount} audit rows loaded in ${loadSeconds.toFixed(0)} s (summaries ${summarizeSeconds.toFixed(0)} s)`);

    const samples = await sampleValues(loader.db);
    let slowest = { ms: 0, label: "", query: undefined as typeof lastQuery };
    const perList: Record<string, number> = {};
    for (const list of benchLists(samples)) {
      for (const testCase of list.cases) {
        const ms = (await median(() => testCase.run(db))) / (testCase.pages ?? 1);
        const query = lastQuery;
        perList[list.name] = Math.max(perList[list.name] ?? 0, ms);
        if (ms > 100) console.error(`console: ${list.name} ${testCase.label}: ${ms.toFixed(1)} ms`);
        if (ms > slowest.ms) slowest = { ms, label: `${list.name} ${testCase.label}`, query };
      }
      console.error(`console: ${list.name}: ${list.cases.length} cases, slowest ${perList[list.name]!.toFixed(1)} ms`);
    }
    let searchMs = 0;
    let searchLabel = "";
    for (const search of benchSearches(samples)) {
      const ms = await median(() => search.run(db));
      if (ms > searchMs) [searchMs, searchLabel] = [ms, search.label];
    }
    console.error(`console: slowest list case: ${slowest.label} (${slowest.ms.toFixed(1)} ms); slowest search: ${searchLabel} (${searchMs.toFixed(1)} ms)`);
    if (slowest.query) {
      const plan = await client.unsafe(`explain (analyze, buffers) ${slowest.query.text}`, slowest.query.params as never[]);
      console.error(plan.map((row) => row["QUERY PLAN"]).join("\n"));
    }
    reportFigures("console", {
      customers: { value: customerCount, unit: "customers" },
      invoices: { value: customerCount * invoicesPerCustomer, unit: "invoices" },
      audit_rows: { value: auditCount, unit: "rows" },
      load_s: { value: loadSeconds, unit: "s" },
      summaries_refresh_s: { value: summarizeSeconds, unit: "s" },
      ...Object.fromEntries(Object.entries(perList).map(([name, ms]) => [`${name}_slowest_ms`, { value: ms, unit: "ms" }])),
      slowest_list_ms: { value: slowest.ms, unit: "ms" },
      search_ms: { value: searchMs, unit: "ms" },
    });
  } finally {
    await client.end({ timeout: 5 });
    await database.drop();
  }
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < runsPerCase; index++) {
    const startedMs = performance.now();
    await run();
    times.push(performance.now() - startedMs);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export type BenchSamples = { customer: { id: string; name: string; email: string; externalId: string }; invoiceNumber: string; stripeInvoiceId: string; planKey: string };

async function sampleValues(db: Db): Promise<BenchSamples> {
  const [customer] = await executeRows<{ id: string; name: string; email: string; external_id: string }>(
    db,
    sql`select id, name, email, external_id from customers where external_id = ${`bench_${String(Math.floor(customerCount / 2)).padStart(7, "0")}`}`,
  );
  const [invoice] = await executeRows<{ number: string; stripe_invoice_id: string }>(
    db,
    sql`select number, stripe_invoice_id from invoices where number is not null and stripe_invoice_id is not null order by id limit 1`,
  );
  const [plan] = await executeRows<{ key: string }>(db, sql`select key from catalog_plans order by key limit 1`);
  return {
    customer: { id: customer!.id, name: customer!.name, email: customer!.email, externalId: customer!.external_id },
    invoiceNumber: invoice!.number,
    stripeInvoiceId: invoice!.stripe_invoice_id,
    planKey: plan!.key,
  };
}

/** Customers, subscriptions, invoices and audit rows in a few set-based statements, triggers off (summaries are built after). */
async function load(db: Db): Promise<void> {
  const started = performance.now();
  const step = async (label: string, statement: ReturnType<typeof sql>) => {
    const stepStarted = performance.now();
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(statement);
    });
    console.error(`console: ${label} (${((performance.now() - stepStarted) / 1000).toFixed(0)} s, ${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  };
  await step(
    "customers",
    sql`insert into customers (external_id, name, email, kind, created_at)
        select 'bench_' || lpad(g::text, 7, '0'),
               (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Margaret','Ken','Frances','John','Radia','Tim','Hedy','Claude','Katherine','Dennis'])[1 + g % 16]
                 || ' ' || (array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Hamilton','Thompson','Allen','Backus','Perlman','Berners','Lamarr','Shannon','Johnson','Ritchie','Wirth','Kay','Codd','Gray'])[1 + (g / 16) % 20]
                 || ' ' || g,
               'dev' || g || '@' || (array['example.dev','mail.test','corp.example','startup.io'])[1 + g % 4],
               case when g % 10 = 0 then 'team' else 'individual' end,
               timestamptz '2024-01-01' + (g * interval '47 seconds')
        from generate_series(1, ${customerCount}::int) g`,
  );
  await step(
    "subscriptions",
    sql`with versions as (select id, row_number() over (order by id) - 1 as n, count(*) over () as total from catalog_plan_versions where status = 'published'),
             numbered as (select id, row_number() over (order by external_id) as n from customers where external_id like 'bench\\_%')
        insert into subscriptions (customer_id, plan_version_id, status, billing_anchor, seats, stripe_subscription_id, created_at)
        select c.id, v.id,
               case when c.n % 20 = 0 then 'past_due' when c.n % 20 in (1, 2) then 'trialing' when c.n % 20 in (3, 4, 5) then 'canceled' else 'active' end,
               timestamptz '2026-01-01' + (c.n % 28) * interval '1 day', 1, 'sub_bench' || c.n, timestamptz '2026-01-01'
        from numbered c join versions v on v.n = c.n % v.total`,
  );
  await step(
    "invoices",
    sql`insert into invoices (number, customer_id, subscription_id, plan_version_id, kind, sequence, status, currency, period_start, period_end,
                              subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents,
                              rounding_micros, stripe_invoice_id, issued_at, finalized_at, paid_at, created_by)
        select case when x.status = 'draft' then null else 'TLY-' || lpad(x.seq::text, 8, '0') end,
               x.customer_id, x.subscription_id, x.plan_version_id, 'period', 0, x.status, 'usd', x.period_start, x.period_start + interval '1 month',
               x.total, 0, 0, x.total, x.total / 10000, 0, 0, x.total / 10000, 0,
               case when x.status = 'draft' then null else 'in_bench' || x.seq end,
               x.period_start + interval '1 month', case when x.status = 'draft' then null else x.period_start + interval '1 month' end,
               case when x.status = 'paid' then x.period_start + interval '1 month 3 days' end, 'bench'
        from (
          select s.customer_id, s.id as subscription_id, s.plan_version_id, timestamptz '2025-08-01' + m * interval '1 month' as period_start,
                 row_number() over () as seq,
                 case when m < ${invoicesPerCustomer - 1}::int then (case when hashint4(m + s.seats * 7 + length(s.stripe_subscription_id)) % 50 = 0 then 'void' else 'paid' end)
                      when s.status = 'past_due' then 'finalized'
                      when right(s.stripe_subscription_id, 1) in ('1', '2') then 'draft'
                      when right(s.stripe_subscription_id, 1) in ('3', '4', '5') then 'finalized'
                      else 'paid' end as status,
                 (1000 + abs(hashtext(s.id::text || m)) % 200000)::bigint * 10000 as total
          from subscriptions s cross join generate_series(0, ${invoicesPerCustomer - 1}::int) m
          where s.stripe_subscription_id like 'sub\\_bench%'
        ) x`,
  );
  await step(
    "audit log",
    sql`insert into audit_log (occurred_at, actor_type, actor_id, actor_label, action, object_type, object_id, reason, metadata)
        select timestamptz '2025-12-01' + g * interval '3 seconds',
               (array['user','api_key','system'])[1 + g % 3],
               'actor_' || (g % 50), 'Actor ' || (g % 50),
               (array['customer.update','subscription.change','credit.issue','invoice.finalize','promotion.create','user.update','api_key.create','ledger.reverse'])[1 + g % 8],
               (array['customer','subscription','credit_grant','invoice','promotion','user','api_key','ledger_transaction'])[1 + g % 8],
               md5(g::text), case when g % 4 = 0 then 'bench reason ' || g end, '{}'::jsonb
        from generate_series(1, ${auditCount}::int) g`,
  );
}
