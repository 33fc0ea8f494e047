import crypto from "node:crypto";
import { emitInvoiceEvents } from "./invoice-events";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { InvoiceKind } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { burnGrants } from "@/server/grants/burn-grants";
import { ensureAccounts, ensureAccountsMax, type EnsureAccountInput } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { arrayLiteral, int8Array, jsonbArray, textArray, timestamptzArray, uuidArray } from "@/server/ledger/sql-arrays";
import type { TransferInput } from "@/server/ledger/types";
import { markInvoicedUsage } from "@/server/metering/mark-invoiced-usage";
import { finishInvoice, type InvoiceLineDraft, type InvoiceTotals, type Period } from "./build-invoice";
import { computeInvoiceDrafts, customersWithLiveGrants, type CloseRequest, type ComputedInvoice } from "./compute-invoice-drafts";
import { invoiceAccounts, invoiceKeyOf, invoiceLedgerKeys, invoiceTransactions } from "./invoice-ledger";

/** Subscriptions per database transaction: large enough for set-based reads and batch posting, small enough to hold locks briefly. */
export const closeBatchMax = 500;
export const invoiceNumberSeries = "TLY";

export type ClosePeriodsOptions = {
  clock: Clock;
  actor: Actor;
  /** Threshold invoices: only create those whose usage amount reaches this (micro-units), per subscription. */
  minimumUsageMicros?: (subscriptionId: string) => bigint | null;
};

export type ClosePeriodResult = {
  subscriptionId: string;
  kind: InvoiceKind;
  periodStart: Date;
  periodEnd: Date;
  status: "created" | "exists" | "below_threshold" | "subscription_not_found" | "invalid_period";
  invoiceId: string | null;
  number: string | null;
  totalMicros: bigint | null;
  totalCents: bigint | null;
};

type Finished = { computed: ComputedInvoice; invoiceId: string; invoiceKey: string; lines: InvoiceLineDraft[]; totals: InvoiceTotals; effectiveAt: Date; number: string };

/**
 * Closes a batch of (subscription, period) requests in ONE database transaction: locks the
 * subscriptions, computes each invoice (usage from the rollups, allowances, rating, late usage,
 * base fee, discounts), burns credits (`burnGrants`), numbers the invoices gaplessly, writes
 * invoices, lines and billed usage, and posts the ledger in one batch. Each invoice is unique by
 * (subscription, period start, kind, sequence) and decided under the subscription's row lock, so
 * running it twice or concurrently creates nothing the second time (`exists`).
 */
export async function closePeriods(db: Db, requests: readonly CloseRequest[], options: ClosePeriodsOptions): Promise<ClosePeriodResult[]> {
  if (requests.length > closeBatchMax) throw new RangeError(`closePeriods: at most ${closeBatchMax} requests per batch`);
  if (requests.length === 0) return [];
  return db.transaction(async (tx) => {
    const now = options.clock.now();
    const computed = await computeInvoiceDrafts(tx, requests, { lock: true, now });
    const results = new Map<CloseRequest, ClosePeriodResult>();
    const toCreate: ComputedInvoice[] = [];
    for (const result of computed) {
      if (result.status !== "computed") {
        results.set(result.request, outcome(result.request, result.status, result.invoiceId ?? null));
        continue;
      }
      const minimum = result.request.kind === "threshold" ? options.minimumUsageMicros?.(result.request.subscriptionId) : null;
      if (minimum != null && result.invoice.draft.usageMicros < minimum) {
        results.set(result.request, outcome(result.request, "below_threshold", null));
        continue;
      }
      toCreate.push(result.invoice);
    }
    if (toCreate.length > 0) {
      const finished = await persist(tx, await burnAndFinish(tx, toCreate, options), options, now);
      for (const item of finished) {
        results.set(item.computed.request, { ...outcome(item.computed.request, "created", item.invoiceId), number: item.number, totalMicros: item.totals.totalMicros, totalCents: item.totals.totalCents });
      }
    }
    return requests.map((request) => results.get(request)!);
  });
}

function outcome(request: CloseRequest, status: ClosePeriodResult["status"], invoiceId: string | null): ClosePeriodResult {
  return { subscriptionId: request.subscriptionId, kind: request.kind, periodStart: request.period.start, periodEnd: request.period.end, status, invoiceId, number: null, totalMicros: null, totalCents: null };
}

/** Credits pay for usage (net of discounts) per product, through the grants domain, which posts the burn. */
async function burnAndFinish(db: Db, items: readonly ComputedInvoice[], options: ClosePeriodsOptions): Promise<Omit<Finished, "number">[]> {
  const withGrants = await customersWithLiveGrants(db, [...new Set(items.map((item) => item.subscription.customerId))]);
  const finished: Omit<Finished, "number">[] = [];
  for (const computed of items) {
    const invoiceKey = invoiceKeyOf(computed.subscription.id, computed.request.period.start, computed.request.kind, computed.sequence);
    const effectiveAt = computed.usageWindow.end > computed.request.period.start ? computed.usageWindow.end : computed.request.period.end;
    const credits: Array<{ productKey: string; coveredMicros: bigint; period: Period }> = [];
    if (withGrants.has(computed.subscription.customerId)) {
      for (const [productKey, amountMicros] of [...computed.draft.creditableByProduct].sort(([left], [right]) => (left < right ? -1 : 1))) {
        const burn = await burnGrants(
          db,
          { customerId: computed.subscription.customerId, currency: computed.terms.currency, amountMicros, scope: { productKey }, at: new Date(effectiveAt.getTime() - 1), idempotencyKey: invoiceLedgerKeys.credit(invoiceKey, productKey), actor: options.actor },
          { clock: options.clock },
        );
        credits.push({ productKey, coveredMicros: burn.coveredMicros, period: computed.request.period });
      }
    }
    const { lines, totals } = finishInvoice(computed.draft, credits);
    finished.push({ computed, invoiceId: crypto.randomUUID(), invoiceKey, lines, totals, effectiveAt });
  }
  return finished;
}

/**
 * The next `count` invoice numbers (`TLY-000001`…). The counter row is locked until the caller's
 * transaction commits: numbers are gapless because a rolled-back transaction returns them.
 */
export async function allocateInvoiceNumbers(db: Db, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const [counter] = await executeRows<{ last_number: string | number }>(
    db,
    sql`insert into invoice_number_counters (series, last_number) values (${invoiceNumberSeries}, ${count})
        on conflict (series) do update set last_number = invoice_number_counters.last_number + excluded.last_number
        returning last_number`,
  );
  const first = Number(counter!.last_number) - count + 1;
  return Array.from({ length: count }, (_, index) => formatInvoiceNumber(first + index));
}

async function persist(db: Db, items: ReadonlyArray<Omit<Finished, "number">>, options: ClosePeriodsOptions, now: Date): Promise<Finished[]> {
  const numbers = await allocateInvoiceNumbers(db, items.length);
  const finished: Finished[] = items.map((item, index) => ({ ...item, number: numbers[index]! }));
  const periodEnd = (item: Finished) =>
    item.computed.request.kind === "period" || item.computed.usageWindow.end <= item.computed.request.period.start ? item.computed.request.period.end : item.computed.usageWindow.end;
  await insertInvoiceRows(
    db,
    finished.map((item) => ({
      invoiceId: item.invoiceId,
      number: item.number,
      customerId: item.computed.subscription.customerId,
      subscriptionId: item.computed.subscription.id,
      planVersionId: item.computed.subscription.planVersionId,
      kind: item.computed.request.kind,
      sequence: item.computed.sequence,
      currency: item.computed.terms.currency,
      periodStart: item.computed.request.period.start,
      periodEnd: periodEnd(item),
      totals: item.totals,
    })),
    `${options.actor.type}:${options.actor.id}`,
    now,
  );
  await insertInvoiceLines(db, finished);
  await emitInvoiceEvents(db, "invoice.finalized", finished.map((item) => item.invoiceId), now);
  await writeBilledUsage(db, finished, now);
  await markInvoicedUsage(
    db,
    finished.map((item) => ({ customerId: item.computed.subscription.customerId, invoicedThrough: item.computed.usageWindow.end })),
  );
  await countDownDiscounts(db, finished);
  await postLedger(db, finished, options);
  await recordAudit(db, {
    actor: options.actor,
    action: "invoice.close",
    objectType: "invoice",
    objectId: finished[0]!.invoiceId,
    metadata: { invoices: finished.length, numbers: `${finished[0]!.number}…${finished[finished.length - 1]!.number}` },
  });
  return finished;
}

export function formatInvoiceNumber(value: number): string {
  return `${invoiceNumberSeries}-${String(value).padStart(6, "0")}`;
}

/*
 * The writes below pass columns as arrays to `unnest` (one parameter per column), as the ledger
 * does: a batch of 500 invoices and thousands of lines is a handful of parameters on both
 * drivers instead of tens of thousands.
 */
const numericArray = (values: ReadonlyArray<string | null>) => sql`${arrayLiteral(values)}::numeric[]`;
const int4Array = (values: readonly number[]) => sql`${arrayLiteral(values)}::int4[]`;

/** One finalized invoice row to insert (numbered by `allocateInvoiceNumbers`). */
export type InvoiceRowInput = {
  invoiceId: string;
  number: string;
  customerId: string;
  subscriptionId: string;
  planVersionId: string;
  kind: InvoiceKind;
  sequence: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  totals: InvoiceTotals;
};

/** Inserts finalized invoices (one statement for the batch). */
export async function insertInvoiceRows(db: Db, items: readonly InvoiceRowInput[], createdBy: string, now: Date): Promise<void> {
  const column = <T>(pick: (item: InvoiceRowInput) => T) => items.map(pick);
  const periodEnd = (item: InvoiceRowInput) => item.periodEnd;
  const totals = (pick: (totals: InvoiceTotals) => bigint) => int8Array(column((item) => pick(item.totals)));
  await executeRows(
    db,
    sql`insert into invoices (id, number, customer_id, subscription_id, plan_version_id, kind, sequence, status, currency, period_start, period_end,
          subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros,
          issued_at, finalized_at, created_by, created_at, updated_at)
        select id, number, customer_id, subscription_id, plan_version_id, kind, sequence, 'finalized', currency, period_start, period_end,
          subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros,
          ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, ${createdBy}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${uuidArray(column((item) => item.invoiceId))}, ${textArray(column((item) => item.number))},
          ${uuidArray(column((item) => item.customerId))}, ${uuidArray(column((item) => item.subscriptionId))},
          ${uuidArray(column((item) => item.planVersionId))}, ${textArray(column((item) => item.kind))},
          ${int4Array(column((item) => item.sequence))}, ${textArray(column((item) => item.currency))},
          ${timestamptzArray(column((item) => item.periodStart))}, ${timestamptzArray(column(periodEnd))},
          ${totals((t) => t.subtotalMicros)}, ${totals((t) => t.discountMicros)}, ${totals((t) => t.creditMicros)}, ${totals((t) => t.totalMicros)},
          ${totals((t) => t.subtotalCents)}, ${totals((t) => t.discountCents)}, ${totals((t) => t.creditCents)}, ${totals((t) => t.totalCents)},
          ${totals((t) => t.roundingMicros)})
          as u(id, number, customer_id, subscription_id, plan_version_id, kind, sequence, currency, period_start, period_end,
               subtotal_micros, discount_micros, credit_micros, total_micros, subtotal_cents, discount_cents, credit_cents, total_cents, rounding_micros)`,
  );
}

/** Lines per statement (bounds one statement's arrays). */
const linesPerStatementMax = 10_000;

/** Inserts invoices' lines, positions 1… in the given order. */
export async function insertInvoiceLines(db: Db, items: ReadonlyArray<{ invoiceId: string; lines: readonly InvoiceLineDraft[] }>): Promise<void> {
  const rows = items.flatMap((item) => item.lines.map((line, index) => ({ invoiceId: item.invoiceId, position: index + 1, line })));
  for (let offset = 0; offset < rows.length; offset += linesPerStatementMax) {
    const chunk = rows.slice(offset, offset + linesPerStatementMax);
    const lines = chunk.map((row) => row.line);
    await executeRows(
      db,
      sql`insert into invoice_lines (invoice_id, position, kind, description, product_key, meter_key, dimensions, service_period_start, service_period_end,
            usage_quantity, allowance_quantity, quantity, unit_price, tiers, amount_micros, amount_cents, metadata)
          select * from unnest(${uuidArray(chunk.map((row) => row.invoiceId))}, ${int4Array(chunk.map((row) => row.position))},
            ${textArray(lines.map((line) => line.kind))}, ${textArray(lines.map((line) => line.description))},
            ${textArray(lines.map((line) => line.productKey))}, ${textArray(lines.map((line) => line.meterKey))},
            ${jsonbArray(lines.map((line) => line.dimensions))}, ${timestamptzArray(lines.map((line) => line.servicePeriod.start))},
            ${timestamptzArray(lines.map((line) => line.servicePeriod.end))}, ${numericArray(lines.map((line) => line.usageQuantity))},
            ${numericArray(lines.map((line) => line.allowanceQuantity))}, ${numericArray(lines.map((line) => line.quantity))},
            ${numericArray(lines.map((line) => line.unitPrice))}, ${jsonbArray(lines.map((line) => line.tiers))},
            ${int8Array(lines.map((line) => line.amountMicros))}, ${int8Array(lines.map((line) => line.amountCents))},
            ${jsonbArray(lines.map((line) => line.metadata))})`,
    );
  }
}

async function writeBilledUsage(db: Db, items: readonly Finished[], now: Date): Promise<void> {
  const rows = items.flatMap((item) => item.computed.billed.map((billed) => ({ item, ...billed })));
  for (let offset = 0; offset < rows.length; offset += linesPerStatementMax) {
    const chunk = rows.slice(offset, offset + linesPerStatementMax);
    await executeRows(
      db,
      sql`insert into billed_usage (subscription_id, period_start, period_end, meter_key, group_key, dimensions, usage_quantity, billable_quantity, amount_micros, last_invoice_id, billed_at)
          select subscription_id, period_start, period_end, meter_key, group_key, dimensions, usage_quantity, billable_quantity, amount_micros, last_invoice_id, ${now.toISOString()}::timestamptz
          from unnest(${uuidArray(chunk.map((row) => row.item.computed.subscription.id))}, ${timestamptzArray(chunk.map((row) => row.period.start))},
            ${timestamptzArray(chunk.map((row) => row.period.end))}, ${textArray(chunk.map((row) => row.meterKey))}, ${textArray(chunk.map((row) => row.group.groupKey))},
            ${jsonbArray(chunk.map((row) => row.group.dimensions))}, ${numericArray(chunk.map((row) => row.group.usageQuantity))},
            ${numericArray(chunk.map((row) => row.group.billableQuantity))}, ${int8Array(chunk.map((row) => row.group.totalAmountMicros))},
            ${uuidArray(chunk.map((row) => row.item.invoiceId))})
            as u(subscription_id, period_start, period_end, meter_key, group_key, dimensions, usage_quantity, billable_quantity, amount_micros, last_invoice_id)
          on conflict (subscription_id, period_start, meter_key, group_key) do update set
            usage_quantity = excluded.usage_quantity, billable_quantity = excluded.billable_quantity, amount_micros = excluded.amount_micros,
            last_invoice_id = excluded.last_invoice_id, billed_at = excluded.billed_at`,
    );
  }
}

/** A period invoice uses up one period of each discount that applied to its period (once: the invoice is unique). */
async function countDownDiscounts(db: Db, items: readonly Finished[]): Promise<void> {
  const ids = items.filter((item) => item.computed.request.kind === "period").flatMap((item) => item.computed.discounts.map((discount) => discount.id));
  if (ids.length === 0) return;
  await executeRows(db, sql`update customer_discounts set periods_remaining = periods_remaining - 1 where id = any(${uuidArray(ids)}) and periods_remaining > 0`);
}

async function postLedger(db: Db, items: readonly Finished[], options: ClosePeriodsOptions): Promise<void> {
  const accounts = new Map<string, EnsureAccountInput>();
  const transactions: TransferInput[] = [];
  const invoiceOf: string[] = [];
  for (const item of items) {
    const input = {
      invoiceId: item.invoiceId,
      invoiceKey: item.invoiceKey,
      customerId: item.computed.subscription.customerId,
      currency: item.computed.terms.currency,
      planKey: item.computed.terms.planKey,
      lines: item.lines,
      totals: item.totals,
      effectiveAt: item.effectiveAt,
      actor: options.actor,
    };
    for (const account of invoiceAccounts(input)) accounts.set(account.code, account);
    for (const transaction of invoiceTransactions(input)) {
      transactions.push(transaction);
      invoiceOf.push(item.invoiceId);
    }
  }
  const accountList = [...accounts.values()];
  for (let offset = 0; offset < accountList.length; offset += ensureAccountsMax) await ensureAccounts(db, accountList.slice(offset, offset + ensureAccountsMax));
  const ids = new Map<string, string[]>();
  // ≤ 2 transactions and ≤ ~20 entries per invoice: 1,000 transactions stay far below the ledger's batch bounds.
  for (let offset = 0; offset < transactions.length; offset += 1_000) {
    const { results } = await postTransactions(db, transactions.slice(offset, offset + 1_000), { clock: options.clock });
    results.forEach((result, index) => {
      if (result.status !== "created" && result.status !== "exists") throw new Error(`invoicing: ledger refused ${transactions[offset + index]!.idempotencyKey}: ${result.status} ${result.message}`);
      const invoiceId = invoiceOf[offset + index]!;
      ids.set(invoiceId, [...(ids.get(invoiceId) ?? []), result.transactionId]);
    });
  }
  if (ids.size === 0) return;
  const entries = [...ids];
  await executeRows(
    db,
    sql`update invoices i set ledger_transaction_ids = u.ids
        from unnest(${uuidArray(entries.map(([id]) => id))}, ${sql`${arrayLiteral(entries.map(([, list]) => JSON.stringify(list)))}::jsonb[]`}) as u(id, ids)
        where i.id = u.id`,
  );
}
