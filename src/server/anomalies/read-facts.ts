import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { InvoiceLineKind } from "@/db/schema";
import { readGrantBalances } from "@/server/grants/read-grant-balances";
import { stripeMinorToMicros } from "@/server/stripe/money";
import type { BurnFact, DenialFact, GrantFact, SpendCrossingFact } from "./detectors/credits-and-limits";
import type { BillLine, PeriodBill, PlanChange } from "./detectors/invoice-jump";
import type { ChargeFact, DunningFact, InvoiceFact } from "./detectors/payments";

/**
 * The thin readers behind the pure detectors: bounded, set-based reads of the other domains'
 * tables (invoices, the Stripe mirror, dunning, grants, notifications, denial counters). Each takes
 * an optional customer filter (tests and the demo seed run detection for a few customers).
 */

const dayMs = 86_400_000;
type Filter = { customerIds?: readonly string[] };

function customerFilter(column: string, filter: Filter) {
  return filter.customerIds === undefined ? sql`true` : sql`${sql.raw(column)} = any(${`{${filter.customerIds.join(",")}}`}::uuid[])`;
}

const rowsMax = 200_000;

/** Each customer's two latest billed periods (period + threshold invoices, not void), among customers billed in the last `days`. */
export async function readRecentPeriodBills(db: Db, input: Filter & { asOf: Date; days: number }): Promise<{ customerId: string; previous: PeriodBill; current: PeriodBill; planChanges: PlanChange[] }[]> {
  const since = new Date(input.asOf.getTime() - input.days * dayMs).toISOString();
  const periods = await executeRows<{
    customer_id: string;
    subscription_id: string;
    period_start: Date | string;
    period_end: Date | string;
    invoice_ids: string[] | string;
    invoice_numbers: (string | null)[] | string;
    plan_version_id: string;
    plan_label: string;
    currency: string;
    total_micros: string;
    rank: number;
  }>(
    db,
    sql`with recent as (
          select distinct customer_id from invoices
          where kind = 'period' and status not in ('draft', 'void') and issued_at >= ${since}::timestamptz and ${customerFilter("customer_id", input)}
        ), periods as (
          select i.customer_id, (array_agg(i.subscription_id::text order by i.sequence desc))[1] as subscription_id, i.period_start, max(i.period_end) as period_end,
                 array_agg(i.id::text order by i.kind desc, i.sequence) as invoice_ids, array_agg(i.number order by i.kind desc, i.sequence) as invoice_numbers,
                 (array_agg(i.plan_version_id::text order by i.kind desc, i.sequence desc))[1] as plan_version_id, min(i.currency) as currency, sum(i.total_micros)::text as total_micros,
                 row_number() over (partition by i.customer_id order by i.period_start desc)::int as rank
          from invoices i join recent r on r.customer_id = i.customer_id
          where i.kind in ('period', 'threshold') and i.status not in ('draft', 'void')
          group by i.customer_id, i.period_start
        )
        select p.*, pl.name || ' v' || v.version as plan_label
        from periods p join catalog_plan_versions v on v.id = p.plan_version_id::uuid join catalog_plans pl on pl.id = v.plan_id
        where p.rank <= 2
        order by p.customer_id, p.period_start
        limit ${rowsMax}`,
  );
  const invoiceIds = periods.flatMap((row) => parseArray(row.invoice_ids)).filter((id): id is string => id !== null);
  const lines = invoiceIds.length === 0 ? [] : await readBillLines(db, invoiceIds);
  const linesByInvoice = new Map<string, BillLine[]>();
  for (const line of lines) linesByInvoice.set(line.invoiceId, [...(linesByInvoice.get(line.invoiceId) ?? []), line.line]);
  const bills = new Map<string, PeriodBill[]>();
  for (const row of periods) {
    const ids = parseArray(row.invoice_ids).filter((id): id is string => id !== null);
    const bill: PeriodBill = {
      customerId: row.customer_id,
      subscriptionId: row.subscription_id,
      invoiceIds: ids,
      invoiceNumbers: parseArray(row.invoice_numbers).filter((value): value is string => value !== null && value !== "NULL"),
      periodStart: new Date(row.period_start),
      periodEnd: new Date(row.period_end),
      planVersionId: row.plan_version_id,
      planLabel: row.plan_label,
      currency: row.currency,
      totalMicros: BigInt(row.total_micros),
      lines: ids.flatMap((id) => linesByInvoice.get(id) ?? []),
    };
    bills.set(row.customer_id, [...(bills.get(row.customer_id) ?? []), bill]);
  }
  const pairs = [...bills.entries()].filter(([, list]) => list.length === 2).map(([customerId, list]) => ({ customerId, previous: list[0]!, current: list[1]! }));
  const changes = await readPlanChanges(db, pairs.map((pair) => ({ customerId: pair.customerId, from: pair.previous.periodStart, to: pair.current.periodEnd })));
  return pairs.map((pair) => ({ ...pair, planChanges: changes.get(pair.customerId) ?? [] }));
}

function parseArray(value: (string | null)[] | string[] | string): (string | null)[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter((part) => part.length > 0)
    .map((part) => (part === "NULL" ? null : part.replace(/^"|"$/g, "")));
}

export async function readBillLines(db: Db, invoiceIds: readonly string[]): Promise<{ invoiceId: string; line: BillLine }[]> {
  const rows = await executeRows<{ invoice_id: string; kind: InvoiceLineKind; description: string; meter_key: string | null; dimensions: Record<string, string> | string; usage_quantity: string | null; quantity: string | null; amount_micros: string }>(
    db,
    sql`select invoice_id::text, kind, description, meter_key, dimensions, usage_quantity::text, quantity::text, amount_micros::text
        from invoice_lines where invoice_id = any(${`{${invoiceIds.join(",")}}`}::uuid[]) order by invoice_id, position limit ${rowsMax}`,
  );
  return rows.map((row) => ({
    invoiceId: row.invoice_id,
    line: {
      kind: row.kind,
      description: row.description,
      meterKey: row.meter_key,
      dimensions: typeof row.dimensions === "string" ? (JSON.parse(row.dimensions) as Record<string, string>) : row.dimensions,
      quantity: row.kind === "usage" || row.kind === "late_usage" ? row.usage_quantity : row.kind === "base_fee" ? row.quantity : null,
      amountMicros: BigInt(row.amount_micros),
    },
  }));
}

/** Plan and seat changes applied to a customer's subscriptions between two times. */
export async function readPlanChanges(db: Db, ranges: readonly { customerId: string; from: Date; to: Date }[]): Promise<Map<string, PlanChange[]>> {
  const result = new Map<string, PlanChange[]>();
  if (ranges.length === 0) return result;
  const rows = await executeRows<{ customer_id: string; effective_at: Date | string; from_plan: string; to_plan: string; from_seats: number; to_seats: number; reason: string | null; range_from: Date | string; range_to: Date | string }>(
    db,
    sql`select s.customer_id::text, c.effective_at, fp.name || ' v' || fv.version as from_plan, tp.name || ' v' || tv.version as to_plan, c.from_seats, c.to_seats, c.reason,
               r.range_from, r.range_to
        from unnest(${`{${ranges.map((range) => range.customerId).join(",")}}`}::uuid[], ${`{${ranges.map((range) => `"${range.from.toISOString()}"`).join(",")}}`}::timestamptz[],
                    ${`{${ranges.map((range) => `"${range.to.toISOString()}"`).join(",")}}`}::timestamptz[]) as r(customer_id, range_from, range_to)
        join subscriptions s on s.customer_id = r.customer_id
        join subscription_scheduled_changes c on c.subscription_id = s.id and c.status = 'applied' and c.effective_at > r.range_from and c.effective_at <= r.range_to
        join catalog_plan_versions fv on fv.id = c.from_plan_version_id join catalog_plans fp on fp.id = fv.plan_id
        join catalog_plan_versions tv on tv.id = c.to_plan_version_id join catalog_plans tp on tp.id = tv.plan_id
        order by c.effective_at
        limit ${rowsMax}`,
  );
  for (const row of rows) {
    const change: PlanChange = { at: new Date(row.effective_at), fromPlan: row.from_plan, toPlan: row.to_plan, fromSeats: row.from_seats, toSeats: row.to_seats, reason: row.reason };
    result.set(row.customer_id, [...(result.get(row.customer_id) ?? []), change]);
  }
  return result;
}

/** Charges of linked customers created in the last `days`, with their intent's status and the invoice they paid. */
export async function readChargeFacts(db: Db, input: Filter & { asOf: Date; days: number }): Promise<ChargeFact[]> {
  const rows = await executeRows<{
    stripe_id: string;
    payment_intent_id: string | null;
    customer_id: string;
    stripe_created: Date | string;
    currency: string;
    amount: string;
    amount_refunded: string;
    status: string;
    description: string | null;
    card_brand: string | null;
    card_last4: string | null;
    failure_code: string | null;
    failure_message: string | null;
    outcome_reason: string | null;
    stripe_invoice_id: string | null;
    intent_status: string | null;
  }>(
    db,
    sql`select c.stripe_id, c.payment_intent_id, c.customer_id::text, c.stripe_created, c.currency, c.amount::text, c.amount_refunded::text, c.status, c.description,
               c.card_brand, c.card_last4, c.failure_code, c.failure_message, c.outcome_reason, link.stripe_invoice_id, pi.status as intent_status
        from stripe_charges c
        left join stripe_payment_intents pi on pi.stripe_id = c.payment_intent_id
        left join lateral (select ip.stripe_invoice_id from stripe_invoice_payments ip where ip.payment_intent_id = c.payment_intent_id
                           order by (ip.status = 'paid') desc, ip.stripe_created limit 1) link on true
        where c.customer_id is not null and c.stripe_created >= ${new Date(input.asOf.getTime() - input.days * dayMs).toISOString()}::timestamptz and ${customerFilter("c.customer_id", input)}
        order by c.stripe_created
        limit ${rowsMax}`,
  );
  return rows.map((row) => ({
    chargeId: row.stripe_id,
    paymentIntentId: row.payment_intent_id,
    customerId: row.customer_id,
    created: new Date(row.stripe_created),
    currency: row.currency,
    amountMinor: BigInt(row.amount),
    amountMicros: stripeMinorToMicros(BigInt(row.amount), row.currency),
    amountRefundedMicros: stripeMinorToMicros(BigInt(row.amount_refunded), row.currency),
    status: row.status,
    description: row.description,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    declineCode: row.outcome_reason,
    stripeInvoiceId: row.stripe_invoice_id,
    paymentIntentStatus: row.intent_status,
  }));
}

/** Tally invoices and mirrored Stripe invoices of the last `days` (with how many paid payments each Stripe invoice has, a refunded one not counted). */
export async function readInvoiceFacts(db: Db, input: Filter & { asOf: Date; days: number }): Promise<InvoiceFact[]> {
  const since = new Date(input.asOf.getTime() - input.days * dayMs).toISOString();
  const tally = await executeRows<{ id: string; number: string | null; customer_id: string; kind: string; period_start: Date | string; period_end: Date | string; total_micros: string; currency: string; status: string; stripe_invoice_id: string | null }>(
    db,
    sql`select id::text, number, customer_id::text, kind, period_start, period_end, total_micros::text, currency, status, stripe_invoice_id
        from invoices where issued_at >= ${since}::timestamptz and kind in ('period', 'opening') and ${customerFilter("customer_id", input)} limit ${rowsMax}`,
  );
  const stripe = await executeRows<{ stripe_id: string; number: string | null; customer_id: string; period_start: Date | string | null; period_end: Date | string | null; total: string; currency: string; status: string; paid_payments: number; billing_reason: string | null }>(
    db,
    sql`select i.stripe_id, i.number, i.customer_id::text, i.period_start, i.period_end, i.total::text, i.currency, i.status, i.billing_reason,
               (select count(*) from stripe_invoice_payments ip where ip.stripe_invoice_id = i.stripe_id and ip.status = 'paid'
                  and not exists (select 1 from stripe_charges c where c.payment_intent_id = ip.payment_intent_id and c.status = 'succeeded' and c.amount_refunded >= c.amount))::int as paid_payments
        from stripe_invoices i
        where i.customer_id is not null and i.stripe_created >= ${since}::timestamptz and ${customerFilter("i.customer_id", input)} limit ${rowsMax}`,
  );
  return [
    ...tally.map(
      (row): InvoiceFact => ({
        key: `tally:${row.id}`,
        id: row.id,
        number: row.number,
        customerId: row.customer_id,
        periodStart: new Date(row.period_start),
        periodEnd: new Date(row.period_end),
        totalMicros: BigInt(row.total_micros),
        currency: row.currency,
        status: row.status,
        source: "tally",
        linkedId: row.stripe_invoice_id,
      }),
    ),
    ...stripe.map(
      (row): InvoiceFact => ({
        key: `stripe:${row.stripe_id}`,
        id: row.stripe_id,
        number: row.number,
        customerId: row.customer_id,
        // Only subscription invoices have a billing period to compare; a manual invoice's "period" is its creation time.
        periodStart: row.billing_reason !== null && row.billing_reason.startsWith("subscription") && row.period_start ? new Date(row.period_start) : null,
        periodEnd: row.period_end ? new Date(row.period_end) : null,
        totalMicros: stripeMinorToMicros(BigInt(row.total), row.currency),
        currency: row.currency,
        status: row.status,
        source: "stripe",
        paidPayments: row.paid_payments,
      }),
    ),
  ];
}

export async function readDunningFacts(db: Db, input: Filter): Promise<DunningFact[]> {
  const rows = await executeRows<{
    id: string;
    customer_id: string;
    stripe_invoice_id: string;
    tally_invoice_id: string | null;
    tally_number: string | null;
    status: string;
    attempt_count: number;
    next_retry_at: Date | string | null;
    amount_due_micros: string;
    currency: string;
    first_failed_at: Date | string;
    grace_ends_at: Date | string;
    restricted_at: Date | string | null;
    hosted_invoice_url: string | null;
  }>(
    db,
    sql`select d.id::text, d.customer_id::text, d.stripe_invoice_id, i.id::text as tally_invoice_id, i.number as tally_number, d.status, d.attempt_count, d.next_retry_at,
               d.amount_due_micros::text, d.currency, d.first_failed_at, d.grace_ends_at, d.restricted_at, d.hosted_invoice_url
        from dunning_cases d left join invoices i on i.stripe_invoice_id = d.stripe_invoice_id
        where d.status = 'open' and ${customerFilter("d.customer_id", input)}
        limit ${rowsMax}`,
  );
  return rows.map((row) => ({
    caseId: row.id,
    customerId: row.customer_id,
    stripeInvoiceId: row.stripe_invoice_id,
    tallyInvoiceId: row.tally_invoice_id,
    tallyInvoiceNumber: row.tally_number,
    status: row.status,
    attemptCount: row.attempt_count,
    nextRetryAt: row.next_retry_at === null ? null : new Date(row.next_retry_at),
    amountDueMicros: BigInt(row.amount_due_micros),
    currency: row.currency,
    firstFailedAt: new Date(row.first_failed_at),
    graceEndsAt: new Date(row.grace_ends_at),
    restrictedAt: row.restricted_at === null ? null : new Date(row.restricted_at),
    hostedInvoiceUrl: row.hosted_invoice_url,
  }));
}

/** Credit burned per customer in the last `recentDays` and in the `baselineDays` before, with the grants worth judging. */
export async function readCreditFacts(db: Db, input: Filter & { asOf: Date; recentDays: number; baselineDays: number; expiryDays: number }): Promise<{ burns: BurnFact[]; grants: GrantFact[] }> {
  const recentFrom = new Date(input.asOf.getTime() - input.recentDays * dayMs);
  const baselineFrom = new Date(recentFrom.getTime() - input.baselineDays * dayMs);
  const burnRows = await executeRows<{ customer_id: string; currency: string; recent: string; baseline: string; first_at: Date | string | null }>(
    db,
    sql`select customer_id::text, currency,
               coalesce(sum(covered_micros) filter (where at >= ${recentFrom.toISOString()}::timestamptz), 0)::text as recent,
               coalesce(sum(covered_micros) filter (where at < ${recentFrom.toISOString()}::timestamptz), 0)::text as baseline,
               (select min(b.at) from credit_burns b where b.customer_id = credit_burns.customer_id and b.covered_micros > 0) as first_at
        from credit_burns
        where at >= ${baselineFrom.toISOString()}::timestamptz and at <= ${input.asOf.toISOString()}::timestamptz and covered_micros > 0 and ${customerFilter("customer_id", input)}
        group by customer_id, currency
        limit ${rowsMax}`,
  );
  const burns = burnRows.map((row) => ({
    customerId: row.customer_id,
    currency: row.currency,
    recentMicros: BigInt(row.recent),
    baselineMicros: BigInt(row.baseline),
    recentDays: input.recentDays,
    baselineDays: input.baselineDays,
    firstBurnAt: row.first_at === null ? null : new Date(row.first_at),
  }));
  const burning = burns.filter((burn) => burn.recentMicros > 0n).map((burn) => burn.customerId);
  const horizon = new Date(input.asOf.getTime() + input.expiryDays * dayMs).toISOString();
  const grantRows = await executeRows<{ id: string; customer_id: string; category: string; currency: string; amount_micros: string; effective_at: Date | string; expires_at: Date | string | null; ledger_account_id: string | null }>(
    db,
    sql`select id::text, customer_id::text, category, currency, amount_micros::text, effective_at, expires_at, ledger_account_id::text
        from credit_grants
        where expired_at is null and effective_at <= ${input.asOf.toISOString()}::timestamptz and (expires_at is null or expires_at > ${input.asOf.toISOString()}::timestamptz)
          and ((expires_at is not null and expires_at <= ${horizon}::timestamptz) or customer_id = any(${`{${burning.join(",")}}`}::uuid[]))
          and ${customerFilter("customer_id", input)}
        limit ${rowsMax}`,
  );
  const balances = await readGrantBalances(db, grantRows.map((row) => ({ id: row.id, ledgerAccountId: row.ledger_account_id })));
  const grants = grantRows.map((row) => ({
    grantId: row.id,
    customerId: row.customer_id,
    category: row.category,
    currency: row.currency,
    amountMicros: BigInt(row.amount_micros),
    remainingMicros: balances.get(row.id) ?? 0n,
    effectiveAt: new Date(row.effective_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  }));
  return { burns, grants };
}

/** 100% spend warnings of periods that ended at most a week ago, and refused checks per day of the last two days. */
export async function readSpendFacts(db: Db, input: Filter & { asOf: Date }): Promise<{ crossings: SpendCrossingFact[]; denials: DenialFact[] }> {
  const crossingRows = await executeRows<{ customer_id: string; payload: Record<string, unknown> | string; created_at: Date | string }>(
    db,
    sql`select customer_id::text, payload, created_at from notifications
        where kind = 'spend_limit.warning' and created_at >= ${new Date(input.asOf.getTime() - 45 * dayMs).toISOString()}::timestamptz
          and customer_id is not null and (payload->>'thresholdPercent')::int >= 100 and ${customerFilter("customer_id", input)}
        limit ${rowsMax}`,
  );
  const crossings: SpendCrossingFact[] = [];
  for (const row of crossingRows) {
    const payload = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as Record<string, string | number>;
    const periodEnd = new Date(String(payload.periodEnd));
    if (periodEnd.getTime() < input.asOf.getTime() - 7 * dayMs) continue;
    crossings.push({
      customerId: row.customer_id,
      periodStart: new Date(String(payload.periodStart)),
      periodEnd,
      limitMicros: BigInt(String(payload.limitMicros)),
      usedMicros: BigInt(String(payload.usedMicros)),
      currency: String(payload.currency ?? "usd"),
      crossedAt: new Date(row.created_at),
      thresholdPercent: Number(payload.thresholdPercent),
    });
  }
  const denialRows = await executeRows<{ customer_id: string; day: string; feature_key: string; reason: string; count: string | number; first_hour: Date | string; last_hour: Date | string }>(
    db,
    sql`select customer_id::text, to_char(hour at time zone 'UTC', 'YYYY-MM-DD') as day, feature_key, reason, sum(count) as count, min(hour) as first_hour, max(hour) as last_hour
        from entitlement_denial_counts
        where hour >= ${new Date(Math.floor(input.asOf.getTime() / dayMs) * dayMs - dayMs).toISOString()}::timestamptz and ${customerFilter("customer_id", input)}
        group by 1, 2, 3, 4
        limit ${rowsMax}`,
  );
  return {
    crossings,
    denials: denialRows.map((row) => ({ customerId: row.customer_id, day: row.day, featureKey: row.feature_key, reason: row.reason, count: Number(row.count), firstHour: new Date(row.first_hour), lastHour: new Date(row.last_hour) })),
  };
}
