import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { countAnomaliesByStatus } from "@/server/anomalies/list-anomalies";
import { getBillingHealth } from "@/server/observability/get-billing-health";
import type { HealthLevel } from "@/server/observability/health-thresholds";
import { readActivity } from "@/server/reports/read-activity";

/**
 * The numbers each role starts the day with, for the console's home page. Read side only: every
 * figure is one bounded aggregate (counts and sums over indexed status columns, usage from hourly
 * rollups of the last 30 days), never a scan of raw events or all ledger history.
 * Open anomalies, revenue, discrepancies and the health verdict come from their own domains'
 * read functions (anomalies, reports, reconciliation, observability), so home and those pages agree.
 */

export type MoneyByCurrency = { currency: string; micros: bigint }[];

export type SupportHome = {
  /** Anomalies still to look at: `open` (nobody on it yet) and `acknowledged`. */
  anomalies: { open: number; acknowledged: number };
  customersInDunning: number;
  dunningDueMicros: MoneyByCurrency;
  creditRequestsWaiting: number;
  restrictedCustomers: number;
};

export type ProductHome = {
  /** Per day (UTC) and meter, the last 30 days. `quantity` is a decimal string. */
  usageByDay: { day: string; meterKey: string; productKey: string | null; quantity: string }[];
  planMix: { planKey: string; planName: string; subscriptions: number; seats: number }[];
  activePromotions: number;
  redemptionsLast30Days: number;
  redemptionsTotal: number;
  trials: { trialing: number; convertedLast30Days: number; endedWithoutPayingLast30Days: number };
};

export type FinanceHome = {
  /** Net revenue recognised in the ledger (revenue accounts less discounts and promotional credits), by UTC month. */
  revenueThisMonth: MoneyByCurrency;
  revenueLastMonth: MoneyByCurrency;
  invoicedThisMonth: MoneyByCurrency;
  invoicedLastMonth: MoneyByCurrency;
  receivablesDue: { currency: string; micros: bigint; invoices: number; overdueMicros: bigint }[];
  creditsOutstanding: MoneyByCurrency;
  /** Open reconciliation discrepancies (ledger, Stripe, rollups and invoices disagreeing) and the money they put in doubt. */
  openDiscrepancies: number;
  openDiscrepancyMicros: bigint;
  creditRequestsWaiting: number;
};

export type AdminHome = {
  /** The Billing health page's verdict for the last hour and the reasons behind it. */
  health: { level: HealthLevel; problems: string[] };
  webhooks: { pending: number; failed: number; parked: number; oldestPendingAt: Date | null };
  syncFailuresLast7Days: number;
  eventsLast24Hours: { accepted: number; unknownCustomer: number };
  invoicesAwaitingStripe: number;
  openDiscrepancies: number;
};

const num = (value: unknown) => Number(value ?? 0);

function money(rows: { currency: string; micros: string | null }[]): MoneyByCurrency {
  return rows.filter((row) => row.micros !== null).map((row) => ({ currency: row.currency, micros: BigInt(row.micros!) }));
}

export async function getSupportHome(db: Db, now: Date): Promise<SupportHome> {
  const [dunning] = await executeRows<{ customers: string; restricted: string }>(
    db,
    sql`select count(distinct customer_id) as customers, count(*) filter (where restricted_at is not null and restricted_at <= ${now.toISOString()}::timestamptz) as restricted
        from dunning_cases where status = 'open'`,
  );
  const due = await executeRows<{ currency: string; micros: string | null }>(
    db,
    sql`select currency, sum(amount_due_micros)::text as micros from dunning_cases where status = 'open' group by currency order by currency`,
  );
  const [requests] = await executeRows<{ waiting: string }>(db, sql`select count(*) as waiting from credit_requests where status = 'pending'`);
  const anomalies = await countAnomaliesByStatus(db);
  return {
    anomalies: { open: anomalies.open, acknowledged: anomalies.acknowledged },
    customersInDunning: num(dunning?.customers),
    dunningDueMicros: money(due),
    creditRequestsWaiting: num(requests?.waiting),
    restrictedCustomers: num(dunning?.restricted),
  };
}

export async function getProductHome(db: Db, now: Date): Promise<ProductHome> {
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const usage = await executeRows<{ day: string; meter_key: string; product_key: string | null; quantity: string }>(
    db,
    sql`select to_char(date_trunc('day', r.window_start at time zone 'UTC'), 'YYYY-MM-DD') as day, m.key as meter_key, p.key as product_key,
               (case when m.aggregation = 'sum' then coalesce(sum(r.sum_value), 0) else sum(r.events) end)::text as quantity
        from usage_rollups r
        join catalog_meters m on m.id = r.meter_id
        left join catalog_products p on p.id = m.product_id
        where r.window_start >= ${since.toISOString()}::timestamptz and r.window_start < ${now.toISOString()}::timestamptz
        group by 1, m.key, p.key, m.aggregation
        order by 1, 2
        limit 5000`,
  );
  const planMix = await executeRows<{ plan_key: string; plan_name: string; subscriptions: string; seats: string }>(
    db,
    sql`select p.key as plan_key, p.name as plan_name, count(*) as subscriptions, sum(s.seats) as seats
        from subscriptions s join catalog_plan_versions v on v.id = s.plan_version_id join catalog_plans p on p.id = v.plan_id
        where s.status <> 'canceled'
        group by p.key, p.name order by count(*) desc limit 50`,
  );
  const [promotions] = await executeRows<{ active: string; recent: string; total: string }>(
    db,
    sql`select (select count(*) from promotions where status = 'active') as active,
               (select count(*) from promotion_redemptions where created_at >= ${since.toISOString()}::timestamptz) as recent,
               (select count(*) from promotion_redemptions) as total`,
  );
  const [trials] = await executeRows<{ trialing: string; converted: string; lapsed: string }>(
    db,
    sql`select count(*) filter (where status = 'trialing') as trialing,
               count(*) filter (where status = 'active' and trial_end >= ${since.toISOString()}::timestamptz and trial_end <= ${now.toISOString()}::timestamptz) as converted,
               count(*) filter (where status in ('canceled', 'unpaid', 'incomplete') and trial_end >= ${since.toISOString()}::timestamptz and trial_end <= ${now.toISOString()}::timestamptz) as lapsed
        from subscriptions where trial_end is not null`,
  );
  return {
    usageByDay: usage.map((row) => ({ day: row.day, meterKey: row.meter_key, productKey: row.product_key, quantity: row.quantity })),
    planMix: planMix.map((row) => ({ planKey: row.plan_key, planName: row.plan_name, subscriptions: num(row.subscriptions), seats: num(row.seats) })),
    activePromotions: num(promotions?.active),
    redemptionsLast30Days: num(promotions?.recent),
    redemptionsTotal: num(promotions?.total),
    trials: { trialing: num(trials?.trialing), convertedLast30Days: num(trials?.converted), endedWithoutPayingLast30Days: num(trials?.lapsed) },
  };
}

/** First instant of the UTC month `offset` months from `now`'s. */
function monthStart(now: Date, offset: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

export async function getFinanceHome(db: Db, now: Date): Promise<FinanceHome> {
  const invoicedIn = (from: Date, to: Date) =>
    executeRows<{ currency: string; micros: string | null }>(
      db,
      sql`select currency, sum(subtotal_micros - discount_micros)::text as micros from invoices
          where status in ('finalized', 'paid') and issued_at >= ${from.toISOString()}::timestamptz and issued_at < ${to.toISOString()}::timestamptz
          group by currency order by currency`,
    );
  const thisMonth = await invoicedIn(monthStart(now, 0), monthStart(now, 1));
  const lastMonth = await invoicedIn(monthStart(now, -1), monthStart(now, 0));
  const receivables = await executeRows<{ currency: string; micros: string; invoices: string; overdue: string }>(
    db,
    sql`select currency, sum(total_micros)::text as micros, count(*) as invoices,
               coalesce(sum(total_micros) filter (where period_end < ${new Date(now.getTime() - 30 * 86_400_000).toISOString()}::timestamptz), 0)::text as overdue
        from invoices where status = 'finalized' and total_micros > 0 group by currency order by currency`,
  );
  // Grant accounts are liabilities: their balance is credits minus debits, compacted rows plus deltas not yet folded in.
  const credits = await executeRows<{ currency: string; micros: string | null }>(
    db,
    sql`select a.currency, sum(
               coalesce(b.posted_credits - b.posted_debits, 0)
               + coalesce((select sum(d.posted_credits - d.posted_debits) from ledger_balance_deltas d where d.account_id = a.id), 0))::text as micros
        from ledger_accounts a left join ledger_balances b on b.account_id = a.id
        where a.code like 'customer:%:grant:%'
        group by a.currency order by a.currency`,
  );
  const discrepancies = await countOpenDiscrepancies(db);
  const [requests] = await executeRows<{ waiting: string }>(db, sql`select count(*) as waiting from credit_requests where status = 'pending'`);
  const revenue = await netRevenueByMonth(db, monthStart(now, -1), monthStart(now, 1));
  const monthKey = (start: Date) => start.toISOString().slice(0, 7);
  return {
    revenueThisMonth: revenue.get(monthKey(monthStart(now, 0))) ?? [],
    revenueLastMonth: revenue.get(monthKey(monthStart(now, -1))) ?? [],
    invoicedThisMonth: money(thisMonth),
    invoicedLastMonth: money(lastMonth),
    receivablesDue: receivables.map((row) => ({ currency: row.currency, micros: BigInt(row.micros), invoices: num(row.invoices), overdueMicros: BigInt(row.overdue) })),
    creditsOutstanding: money(credits),
    openDiscrepancies: discrepancies.open,
    openDiscrepancyMicros: discrepancies.micros,
    creditRequestsWaiting: num(requests?.waiting),
  };
}

export async function getAdminHome(db: Db, now: Date, options: { jobNames: readonly string[] }): Promise<AdminHome> {
  const health = await getBillingHealth(db, { range: "hour", now, jobNames: options.jobNames });
  const [webhooks] = await executeRows<{ pending: string; failed: string; parked: string; oldest: string | null }>(
    db,
    sql`select count(*) filter (where status = 'pending') as pending, count(*) filter (where status = 'failed') as failed,
               count(*) filter (where status = 'parked') as parked, min(received_at) filter (where status = 'pending') as oldest
        from stripe_webhook_events where status <> 'processed'`,
  );
  const [sync] = await executeRows<{ failures: string }>(
    db,
    sql`select count(*) as failures from stripe_sync_failures where occurred_at >= ${new Date(now.getTime() - 7 * 86_400_000).toISOString()}::timestamptz`,
  );
  const [ingest] = await executeRows<{ accepted: string | null; unknown: string | null }>(
    db,
    sql`select sum(accepted) as accepted, sum(unknown_customer) as unknown from metering_ingest_counters where minute >= ${new Date(now.getTime() - 86_400_000).toISOString()}::timestamptz`,
  );
  const [awaiting] = await executeRows<{ invoices: string }>(
    db,
    sql`select count(*) as invoices from invoices where status = 'finalized' and total_micros > 0 and stripe_invoice_id is null`,
  );
  const discrepancies = await countOpenDiscrepancies(db);
  return {
    health: { level: health.level, problems: health.problems.map((problem) => `${problem.chart}: ${problem.reason}`) },
    webhooks: { pending: num(webhooks?.pending), failed: num(webhooks?.failed), parked: num(webhooks?.parked), oldestPendingAt: webhooks?.oldest ? new Date(webhooks.oldest) : null },
    syncFailuresLast7Days: num(sync?.failures),
    eventsLast24Hours: { accepted: num(ingest?.accepted), unknownCustomer: num(ingest?.unknown) },
    invoicesAwaitingStripe: num(awaiting?.invoices),
    openDiscrepancies: discrepancies.open,
  };
}

/** Open reconciliation discrepancies: a count and the money in doubt (bounded by the partial index on open rows). */
async function countOpenDiscrepancies(db: Db): Promise<{ open: number; micros: bigint }> {
  const [row] = await executeRows<{ open: string; micros: string | null }>(
    db,
    sql`select count(*) as open, sum(amount_micros)::text as micros from reconciliation_discrepancies where status = 'open'`,
  );
  return { open: num(row?.open), micros: BigInt(row?.micros ?? "0") };
}

/**
 * Net revenue per UTC month (`YYYY-MM`) and currency over [from, to): revenue accounts' credits less
 * debits, less the promotions expense (discounts and promotional credits), the revenue report's "net".
 * Closed months come from their snapshot, the open ones from the entries of those months only.
 */
async function netRevenueByMonth(db: Db, from: Date, to: Date): Promise<Map<string, MoneyByCurrency>> {
  const activity = await readActivity(db, from, to, { codeLikes: ["revenue:%", "expense:promotions"] });
  const totals = new Map<string, Map<string, bigint>>();
  for (const row of activity) {
    // Revenue is credit-normal (credits − debits); the promotions expense is subtracted (−(debits − credits)): both are credits − debits.
    const byCurrency = totals.get(row.month) ?? new Map<string, bigint>();
    byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0n) + row.credits - row.debits);
    totals.set(row.month, byCurrency);
  }
  return new Map(
    [...totals].map(([month, byCurrency]) => [month, [...byCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([currency, micros]) => ({ currency, micros }))]),
  );
}
