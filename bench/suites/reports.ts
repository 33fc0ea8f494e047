import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { closeAccountingPeriod } from "@/server/reports/periods/close-accounting-period";
import { monthAt } from "@/server/reports/periods/month";
import { runReport } from "@/server/reports/registry";
import type { Report } from "@/server/reports/report-model";
import { createTestDatabase, databaseUrl } from "@/test/database";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { reportFigures, type Figure } from "../report";

/**
 * Finance reports on a large ledger: `BENCH_SCALE` × 10,000 customers and × 10,000,000 ledger
 * entries over 24 months (default 1). The ledger is loaded set-based (generate_series, one
 * statement per month writing transactions and entries together) into the real tables with every
 * trigger on, so the invariants hold (`ledger:verify` runs at the end); each customer-month has
 * 16 usage accruals, an invoice (Tally invoice rows and lines, overage on Pro), the fee, a payment
 * (nine customers in ten), a promotional credit and a burn. The first 23 months are closed (their
 * snapshots written by the real close), the 24th is open. Measured: the trial balance as of dates
 * in closed and open months, revenue for the last 12 months, aging as of dates, and customer
 * statements (the slowest of each is reported; statements: the median and the slowest of 20).
 * `BENCH_KEEP=1` keeps the database (its name is printed) for EXPLAIN; drop it afterwards.
 */
const scale = Number(process.env.BENCH_SCALE ?? 1);
const customerCount = Math.max(10, Math.round(10_000 * scale));
const entriesTarget = Math.round(10_000_000 * scale);
const months = 24;
const firstMonth = new Date(Date.UTC(2025, 0, 1));
/** Transactions per customer-month (two entries each). */
const perCustomerMonth = Math.max(5, Math.round(entriesTarget / (customerCount * months * 2)));
const usageAccruals = perCustomerMonth - 5;
const actor = systemActor("bench");

export async function run(): Promise<void> {
  const reuse = process.env.BENCH_REPORTS_REUSE;
  const database = reuse ? await openKept(reuse) : await createTestDatabase({ poolMax: 4, statementTimeoutMs: 0 });
  try {
    const { db } = database;
    if (reuse) {
      // A database a `BENCH_KEEP=1` run kept: loaded and closed already; migrations since are applied as a deploy would.
      await migrateDatabase(database);
      await executeRows(db, sql`analyze`);
      const [counts] = await executeRows<{ entries: string; customers: number }>(
        db,
        sql`select (select count(*)::text from ledger_entries) as entries, (select count(*)::int from customers where external_id like 'bench\_%') as customers`,
      );
      reportFigures("reports", { ledger_entries: { value: Number(counts!.entries), unit: "entries" }, customers: { value: counts!.customers, unit: "customers" }, ...(await measureReports(db)) });
      return;
    }
    const loadStartedMs = performance.now();
    await seedCatalog(db, { clock: fixedClock(firstMonth) });
    await createChart(db);
    let entries = 0;
    for (let month = 0; month < months; month++) {
      entries += await loadMonth(db, month);
      if (month % 6 === 5) console.error(`reports: loaded ${month + 1} months, ${entries} entries (${((performance.now() - loadStartedMs) / 1000).toFixed(0)} s)`);
    }
    await foldBalances(db);
    await executeRows(db, sql`vacuum analyze`);
    const loadSeconds = (performance.now() - loadStartedMs) / 1000;
    console.error(`reports: ${entries} ledger entries for ${customerCount} customers over ${months} months loaded in ${loadSeconds.toFixed(0)} s`);

    const closeStartedMs = performance.now();
    const clock = fixedClock(new Date(Date.UTC(2027, 0, 5)));
    for (let month = 0; month < months - 1; month++) {
      await closeAccountingPeriod(db, { month: monthKey(month), actor }, { clock });
    }
    const closeSeconds = (performance.now() - closeStartedMs) / 1000;
    await executeRows(db, sql`analyze`);
    reportFigures("reports", {
      ledger_entries: { value: entries, unit: "entries" },
      customers: { value: customerCount, unit: "customers" },
      load_s: { value: loadSeconds, unit: "s" },
      close_month_s: { value: closeSeconds / (months - 1), unit: "s" },
      ...(await measureReports(db)),
    });
  } finally {
    if (process.env.BENCH_KEEP === "1" || reuse) {
      console.error(`reports: kept database ${database.name}`);
      await database.close();
    } else {
      await database.drop();
    }
  }
}

async function openKept(name: string) {
  const handle = await openDatabase({ url: databaseUrl(name), poolMax: 4, statementTimeoutMs: 0 });
  return { ...handle, name, drop: async () => {} };
}

/** The figures of the reports over a loaded and closed ledger (the first 23 months closed, the last open). */
async function measureReports(db: Db): Promise<Record<string, Figure>> {
  const openMonth = monthAt(new Date(Date.UTC(2025, months - 1, 1)));
  const dates = [
    isoDay(Date.UTC(2025, 3, 14)), // mid closed month
    isoDay(Date.UTC(2026, 10, 30)), // end of a closed month
    isoDay(openMonth.start.getTime() + 14 * 86_400_000), // mid open month
    isoDay(openMonth.end.getTime() - 86_400_000), // end of the open month
  ];
  const trialBalance = await slowest(dates, (asOf) => runReport(db, "trial-balance", { asOf }), (report) => checkReconciled(report));
  const revenue = await slowest([monthKey(months - 12)], (from) => runReport(db, "revenue", { from, to: monthKey(months - 1) }), (report) => checkReconciled(report));
  const aging = await slowest([dates[2]!, dates[1]!], (asOf) => runReport(db, "aging", { asOf }), (report) => checkReconciled(report));
  const customers = await executeRows<{ id: string }>(db, sql`select id from customers where external_id like 'bench\\_%' order by random() limit 20`);
  const statementMs: number[] = [];
  for (const { id } of customers) {
    const startedMs = performance.now();
    const report = await runReport(db, "statement", { customerId: id, from: isoDay(Date.UTC(2026, 8, 1)), to: dates[3]! });
    statementMs.push(performance.now() - startedMs);
    checkReconciled(report);
  }
  statementMs.sort((a, b) => a - b);
  const verify = await verifyLedger(db);
  return {
    trial_balance_s: { value: trialBalance / 1000, unit: "s" },
    revenue_year_s: { value: revenue / 1000, unit: "s" },
    aging_s: { value: aging / 1000, unit: "s" },
    statement_ms: { value: statementMs[Math.floor(statementMs.length / 2)]!, unit: "ms" },
    statement_max_ms: { value: statementMs.at(-1)!, unit: "ms" },
    verify_differences: { value: verify.differenceCount, unit: "differences" },
  };
}

const monthKey = (index: number) => monthAt(new Date(Date.UTC(2025, index, 1))).key;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function slowest<T>(inputs: T[], run: (input: T) => Promise<Report>, check: (report: Report) => void): Promise<number> {
  let slowestMs = 0;
  for (const input of inputs) {
    const startedMs = performance.now();
    const report = await run(input);
    const elapsedMs = performance.now() - startedMs;
    check(report);
    console.error(`reports: ${report.key} ${JSON.stringify(input)}: ${elapsedMs.toFixed(0)} ms, ${report.rows.length} rows`);
    slowestMs = Math.max(slowestMs, elapsedMs);
  }
  return slowestMs;
}

function checkReconciled(report: Report): void {
  for (const line of report.reconciliation) {
    if (line.report !== line.ledger) throw new Error(`reports: ${report.key} does not reconcile: ${line.label} ${line.report} vs ${line.ledger}`);
  }
}

/** Customers on Pro (two in three) or Team, their subscriptions, accounts and one promotional grant each; `bench_chart` maps them. */
async function createChart(db: Db): Promise<void> {
  await executeRows(
    db,
    sql`insert into customers (external_id, name, email, kind)
        select 'bench_' || n, 'Bench customer ' || n, 'bench' || n || '@example.test', case when n % 3 = 0 then 'team' else 'individual' end
        from generate_series(1, ${customerCount}) n`,
  );
  await executeRows(
    db,
    sql`insert into subscriptions (customer_id, plan_version_id, status, seats, billing_anchor)
        select c.id, v.id, 'active', case when c.kind = 'team' then 5 else 1 end, ${firstMonth.toISOString()}::timestamptz
        from customers c
        join lateral (select pv.id from catalog_plan_versions pv join catalog_plans p on p.id = pv.plan_id
                      where p.key = case when c.kind = 'team' then 'team' else 'pro' end order by pv.version desc limit 1) v on true
        where c.external_id like 'bench\\_%'`,
  );
  await executeRows(
    db,
    sql`insert into ledger_accounts (code, kind, currency, customer_id, non_negative)
        values ('revenue:usage:agent', 'revenue', 'usd', null, false), ('revenue:subscription:pro', 'revenue', 'usd', null, false),
               ('revenue:subscription:team', 'revenue', 'usd', null, false), ('expense:promotions', 'expense', 'usd', null, false),
               ('cash:stripe', 'asset', 'usd', null, false)`,
  );
  await executeRows(
    db,
    sql`insert into credit_grants (id, customer_id, amount_micros, currency, category, effective_at, expires_at, source, idempotency_key, created_by)
        select gen_random_uuid(), c.id, ${months} * 5000000, 'usd', 'promotional', ${firstMonth.toISOString()}::timestamptz, null, 'promotion', 'bench-grant-' || c.external_id, 'bench'
        from customers c where c.external_id like 'bench\\_%'`,
  );
  await executeRows(
    db,
    sql`insert into ledger_accounts (code, kind, currency, customer_id, non_negative)
        select 'customer:' || c.id || ':' || suffix, 'asset', 'usd', c.id, false from customers c cross join (values ('unbilled'), ('receivable')) s(suffix)
        where c.external_id like 'bench\\_%'
        union all
        select 'customer:' || g.customer_id || ':grant:' || g.id, 'liability', 'usd', g.customer_id, true from credit_grants g where g.created_by = 'bench'`,
  );
  await executeRows(db, sql`update credit_grants g set ledger_account_id = a.id from ledger_accounts a where a.code = 'customer:' || g.customer_id || ':grant:' || g.id and g.created_by = 'bench'`);
  await executeRows(
    db,
    sql`insert into ledger_balances (account_id, non_negative_side) select id, case when non_negative then 'credit' end from ledger_accounts on conflict do nothing`,
  );
  await executeRows(
    db,
    sql`create table bench_chart as
        select row_number() over (order by c.external_id) as n, c.id as customer_id, s.id as subscription_id, s.plan_version_id, p.key as plan_key, s.seats,
               (select id from ledger_accounts where code = 'customer:' || c.id || ':unbilled') as unbilled,
               (select id from ledger_accounts where code = 'customer:' || c.id || ':receivable') as receivable,
               g.ledger_account_id as grant_account,
               (select id from ledger_accounts where code = 'revenue:subscription:' || p.key) as fee_revenue
        from customers c join subscriptions s on s.customer_id = c.id
        join catalog_plan_versions v on v.id = s.plan_version_id join catalog_plans p on p.id = v.plan_id
        join credit_grants g on g.customer_id = c.id and g.created_by = 'bench'
        where c.external_id like 'bench\\_%'`,
  );
}

/** One month for every customer: its invoices and lines, then its transactions and entries in one statement. Returns the entries written. */
async function loadMonth(db: Db, index: number): Promise<number> {
  const month = monthAt(new Date(Date.UTC(2025, index, 1)));
  const start = sql`${month.start.toISOString()}::timestamptz`;
  const end = sql`${month.end.toISOString()}::timestamptz`;
  // Usage amounts are whole cents so invoices need no rounding line; the fee is the plan's per seat.
  await executeRows(
    db,
    sql`insert into invoices (id, number, customer_id, subscription_id, plan_version_id, kind, status, currency, period_start, period_end,
          subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros,
          issued_at, finalized_at, created_by)
        select gen_random_uuid(), 'B' || ${index} || '-' || ch.n, ch.customer_id, ch.subscription_id, ch.plan_version_id, 'period', 'finalized', 'usd', ${start}, ${end},
          u.usage + f.fee, 0, 0, u.usage + f.fee, (u.usage + f.fee) / 10000, 0, 0, (u.usage + f.fee) / 10000, 0,
          ${end} - interval '1 hour', ${end} - interval '1 hour', 'bench'
        from bench_chart ch
        cross join lateral (select ((ch.n * 7919 + ${index} * 104729) % 400 + 20) * 250000::int8 as usage) u
        cross join lateral (select case when ch.plan_key = 'team' then 30000000 else 20000000 end * ch.seats::int8 as fee) f`,
  );
  await executeRows(
    db,
    sql`insert into invoice_lines (invoice_id, position, kind, description, product_key, meter_key, service_period_start, service_period_end,
          usage_quantity, allowance_quantity, quantity, amount_micros, amount_cents)
        select i.id, l.position, l.kind, l.description, l.product_key, l.meter_key, ${start}, ${end}, l.usage_quantity, l.allowance_quantity, l.quantity, l.amount, l.amount / 10000
        from invoices i join bench_chart ch on ch.subscription_id = i.subscription_id
        cross join lateral (values
          (0, 'base_fee', 'Base fee', null::text, null::text, null::numeric, null::numeric, ch.seats::numeric, case when ch.plan_key = 'team' then 30000000 else 20000000 end * ch.seats::int8),
          (1, 'usage', 'LLM tokens', 'agent', 'llm_tokens', 1000000::numeric, case when ch.plan_key = 'pro' then 500000 end::numeric, 500000::numeric, i.subtotal_micros - case when ch.plan_key = 'team' then 30000000 else 20000000 end * ch.seats::int8)
        ) as l(position, kind, description, product_key, meter_key, usage_quantity, allowance_quantity, quantity, amount)
        where i.period_start = ${start} and i.created_by = 'bench'`,
  );
  const [written] = await executeRows<{ entries: number }>(
    db,
    sql`with chart as (
          select ch.*, i.id as invoice_id, i.subtotal_micros as total, i.subtotal_micros - (case when ch.plan_key = 'team' then 30000000 else 20000000 end * ch.seats::int8) as usage
          from bench_chart ch join invoices i on i.subscription_id = ch.subscription_id and i.period_start = ${start} and i.created_by = 'bench'
        ), planned as (
          select gen_random_uuid() as id, c.n, c.customer_id, k,
            ${start} + ((k * 37 + c.n) % (extract(day from ${end} - ${start})::int * 24 - 2)) * interval '1 hour' as at,
            case when k < ${usageAccruals} then 'usage_accrual' when k = ${usageAccruals} then 'invoice' when k = ${usageAccruals} + 1 then 'invoice'
                 when k = ${usageAccruals} + 2 then 'payment' when k = ${usageAccruals} + 3 then 'credit_grant' else 'credit_burn' end as kind,
            case when k in (${usageAccruals}, ${usageAccruals} + 1, ${usageAccruals} + 2) then c.invoice_id::text end as invoice_id,
            case when k < ${usageAccruals} then c.unbilled when k = ${usageAccruals} then c.receivable when k = ${usageAccruals} + 1 then c.receivable
                 when k = ${usageAccruals} + 2 then (select id from ledger_accounts where code = 'cash:stripe')
                 when k = ${usageAccruals} + 3 then (select id from ledger_accounts where code = 'expense:promotions') else c.grant_account end as debit,
            case when k < ${usageAccruals} then (select id from ledger_accounts where code = 'revenue:usage:agent') when k = ${usageAccruals} then c.unbilled
                 when k = ${usageAccruals} + 1 then c.fee_revenue when k = ${usageAccruals} + 2 then c.receivable
                 when k = ${usageAccruals} + 3 then c.grant_account else c.unbilled end as credit,
            case when k < ${usageAccruals} then c.usage / ${usageAccruals} + case when k = 0 then c.usage % ${usageAccruals} else 0 end
                 when k = ${usageAccruals} then c.usage when k = ${usageAccruals} + 1 then c.total - c.usage when k = ${usageAccruals} + 2 then c.total
                 when k = ${usageAccruals} + 3 then 5000000 else 2000000 end::int8 as amount
          from chart c cross join generate_series(0, ${perCustomerMonth - 1}) k
          where not (k = ${usageAccruals} + 2 and c.n % 10 = 0)
        ), fixed as (
          -- The invoice and payment postings at the month's end and a day after; the burn after the grant.
          select id, n, customer_id, k, kind, invoice_id, debit, credit, amount,
            case when kind = 'invoice' then ${end} - interval '1 hour' when kind = 'payment' then ${end} - interval '30 minutes'
                 when kind = 'credit_burn' then greatest(at, ${start} + interval '2 days') when kind = 'credit_grant' then ${start} + interval '1 day' else at end as at
          from planned
        ), transactions as (
          insert into ledger_transactions (id, idempotency_key, content_hash, kind, status, effective_at, posted_at, customer_id, invoice_id, actor_type, actor_id)
          select id, 'bench:' || ${index} || ':' || n || ':' || k, 'bench', kind, 'posted', at, at, customer_id, invoice_id, 'system', 'bench' from fixed
          returning 1
        ), entries as (
          insert into ledger_entries (transaction_id, account_id, currency, amount, phase, effective_at)
          select f.id, x.account_id, 'usd', x.amount, 'posted', f.at from fixed f cross join lateral (values (f.debit, f.amount), (f.credit, -f.amount)) x(account_id, amount)
          returning 1
        )
        select (select count(*) from entries)::int as entries, (select count(*) from transactions)::int as transactions`,
  );
  return Number(written!.entries);
}

/** Balance rows from the entries: the grants' (locked, non-negative) rows directly, every other account as one delta row. */
async function foldBalances(db: Db): Promise<void> {
  await executeRows(
    db,
    sql`with totals as (
          select account_id, coalesce(sum(amount) filter (where amount > 0), 0) as d, coalesce(-sum(amount) filter (where amount < 0), 0) as c
          from ledger_entries group by account_id
        ), locked as (
          update ledger_balances b set posted_debits = t.d, posted_credits = t.c from totals t, ledger_accounts a
          where b.account_id = t.account_id and a.id = t.account_id and a.non_negative
          returning 1
        )
        insert into ledger_balance_deltas (account_id, posted_debits, posted_credits, pending_debits, pending_credits)
        select t.account_id, t.d, t.c, 0, 0 from totals t join ledger_accounts a on a.id = t.account_id where not a.non_negative`,
  );
}
