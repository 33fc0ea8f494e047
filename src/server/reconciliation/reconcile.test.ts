import { and, eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { customers, invoices, reconciliationDiscrepancies } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { systemClock } from "@/server/clock";
import { issueGrant } from "@/server/grants/issue-grant";
import { purchaseCredits } from "@/server/invoicing/purchase-credits";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { reverseTransaction } from "@/server/ledger/reverse-transaction";
import { seedDemo } from "@/server/seed/seed-demo";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import type { DiscrepancyKind } from "./discrepancy";
import { listDiscrepancies } from "./list-discrepancies";
import { reconcile } from "./reconcile";

/*
 * The demo data (a realistic month: usage, closed periods, invoices, credits, dunning) reconciles
 * clean; each test plants exactly one kind of divergence, asserts it is found with its amount,
 * then undoes it (or books the correction) and asserts it is resolved — never deleted.
 */
let database: TestDatabase;
const actor = systemActor("test");
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedDemo({ db: database.db, clock: systemClock, log: () => {} });
}, 240_000);
afterAll(async () => {
  await database?.drop();
});

async function openOf(kind: DiscrepancyKind) {
  return (await listDiscrepancies(database.db, { kind, status: "open" })).items;
}

async function reconcileOnly(kind: DiscrepancyKind) {
  return reconcile(database.db, systemClock, { kinds: [kind] });
}

async function someFinalizedInvoice() {
  const [invoice] = await database.db
    .select()
    .from(invoices)
    .where(and(eq(invoices.status, "finalized"), eq(invoices.kind, "period"), sql`${invoices.totalCents} > 0`, sql`${invoices.finalizedAt} > now() - interval '30 days'`))
    .limit(1);
  return invoice!;
}

describe("reconciliation", () => {
  it("finds nothing in a clean month of demo data, the credit purchase included", async () => {
    const result = await reconcile(database.db, systemClock);
    expect(result.found).toBe(0);
    expect(Object.values(result.openByKind).every((open) => open === 0)).toBe(true);
    expect(result.invoiceAccuracy.length).toBeGreaterThan(0);
  });

  it("holds the demo's payment history: most period invoices paid by card through Stripe, the recent ones open, a few refunds, all booked", async () => {
    const [counts] = await executeRows<{ billed: number; paid: number; open: number; charged: number; refunds: number; unbooked: number }>(
      database.db,
      sql`select (select count(*)::int from billed_usage) as billed,
                 (select count(*)::int from invoices where kind = 'period' and status = 'paid' and stripe_invoice_id like 'in_demo_%') as paid,
                 (select count(*)::int from invoices where kind = 'period' and status = 'finalized') as open,
                 (select count(*)::int from stripe_charges where stripe_id like 'ch_demo_%' and status = 'succeeded' and card_last4 is not null) as charged,
                 (select count(*)::int from stripe_refunds where stripe_id like 're_demo_%') as refunds,
                 (select count(*)::int from invoices i where i.status = 'paid' and i.total_cents > 0 and i.stripe_invoice_id like 'in_demo_%'
                    and not exists (select 1 from ledger_transactions t where t.idempotency_key = 'stripe:invoice:' || i.stripe_invoice_id || ':paid')) as unbooked`,
    );
    // The month's usage was rolled up before its periods closed (a transaction running elsewhere must not leave them usage-less).
    expect(counts!.billed).toBeGreaterThan(100);
    expect(counts!.paid).toBeGreaterThan(100);
    expect(counts!.open).toBeGreaterThan(0);
    expect(counts!.charged).toBeGreaterThan(50);
    expect(counts!.refunds).toBeGreaterThan(0);
    expect(counts!.unbooked).toBe(0);
  });

  it("reports a paid credit booked to the receivable with no invoice (the old behaviour), with its amount; purchaseCredits invoices it", async () => {
    const [team] = await database.db.select().from(customers).where(eq(customers.kind, "team")).limit(1);
    const { grant } = await issueGrant(database.db, actor, systemClock, {
      customerId: team!.id, amountMicros: 1_000_000_000n, category: "paid", source: "purchase", reason: "old way", idempotencyKey: "test:old-paid-credit",
    });
    await reconcileOnly("receivable_open_invoices");
    const [found] = await openOf("receivable_open_invoices");
    expect(found).toMatchObject({ customerId: team!.id, unit: "micros", currency: "usd", amountMicros: 1_000_000_000n });
    expect(BigInt(found!.actual) - BigInt(found!.expected)).toBe(1_000_000_000n);
    expect(found!.difference).toBe("1000000000");

    // Bought properly, the same credit is an invoice: still exactly the old grant's $1,000 apart.
    const purchase = await purchaseCredits(database.db, actor, systemClock, { customerId: team!.id, amountMicros: 250_000_000n, idempotencyKey: "test:purchase" });
    expect((await purchaseCredits(database.db, actor, systemClock, { customerId: team!.id, amountMicros: 250_000_000n, idempotencyKey: "test:purchase" })).invoiceId).toBe(purchase.invoiceId);
    await reconcile(database.db, systemClock, { kinds: ["receivable_open_invoices", "invoice_ledger", "grant_balance"] });
    const [still] = await openOf("receivable_open_invoices");
    expect(still!.id).toBe(found!.id);
    expect(still!.amountMicros).toBe(1_000_000_000n);
    expect(await openOf("invoice_ledger")).toEqual([]);

    // Undo the old grant's receivable (the correction a person would book): it resolves, and stays on record.
    await reverseTransaction(database.db, { transactionId: grant.ledgerTransactionId!, reason: "test", actor }, { clock: systemClock });
    await database.db.execute(sql`update credit_grants set expired_at = now() where id = ${grant.id}`);
    await reconcileOnly("receivable_open_invoices");
    expect(await openOf("receivable_open_invoices")).toEqual([]);
    const [resolved] = await database.db.select().from(reconciliationDiscrepancies).where(eq(reconciliationDiscrepancies.id, found!.id));
    expect(resolved).toMatchObject({ status: "resolved" });
    expect(resolved!.resolvedAt).toBeInstanceOf(Date);
  });

  it("finds raw events and rollups apart, by the events", async () => {
    const [row] = await executeRows<{ meter_id: string; subject: string; window_start: string; dimensions: unknown }>(
      database.db,
      sql`select meter_id, subject, window_start::text, dimensions from usage_rollups where window_start > now() - interval '20 days' order by window_start limit 1`,
    );
    const where = sql`meter_id = ${row!.meter_id} and subject = ${row!.subject} and window_start = ${row!.window_start}::timestamptz and dimensions = ${JSON.stringify(row!.dimensions)}::jsonb`;
    await database.db.execute(sql`update usage_rollups set events = events + 3 where ${where}`);
    await reconcileOnly("events_rollups");
    const [found] = await openOf("events_rollups");
    expect(found).toMatchObject({ unit: "events", difference: "3", objects: { subject: row!.subject } });
    await database.db.execute(sql`update usage_rollups set events = events - 3 where ${where}`);
    expect((await reconcileOnly("events_rollups")).resolved).toBe(1);
  });

  it("finds billed usage that the rollups do not hold, by the quantity", async () => {
    const [row] = await executeRows<{ subscription_id: string; period_start: string; meter_key: string; group_key: string }>(
      database.db,
      // A group whose rollups hold exactly what was billed: the demo's late usage (rolled up after
      // the close, billed on the next invoice) would otherwise hide a planted difference.
      sql`select b.subscription_id, b.period_start::text, b.meter_key, b.group_key from billed_usage b join catalog_meters m on m.key = b.meter_key
          join subscriptions s on s.id = b.subscription_id join customers c on c.id = s.customer_id
          where m.aggregation in ('count', 'sum') and b.period_end > now() - interval '30 days' and b.period_end <= now() and b.usage_quantity > 0
            and b.dimensions = '{}'::jsonb
            and b.usage_quantity = (select case when m.aggregation = 'count' then sum(r.events) else sum(r.sum_value) end from usage_rollups r
                                    where r.meter_id = m.id and r.subject = c.external_id and r.window_start >= b.period_start and r.window_start < b.period_end)
          limit 1`,
    );
    const where = sql`subscription_id = ${row!.subscription_id} and period_start = ${row!.period_start}::timestamptz and meter_key = ${row!.meter_key} and group_key = ${row!.group_key}`;
    await database.db.execute(sql`update billed_usage set usage_quantity = usage_quantity + 5 where ${where}`);
    await reconcileOnly("rollups_invoices");
    const [found] = await openOf("rollups_invoices");
    expect(found).toMatchObject({ unit: "quantity", difference: "5", objects: { meterKey: row!.meter_key } });
    await database.db.execute(sql`update billed_usage set usage_quantity = usage_quantity - 5 where ${where}`);
    expect((await reconcileOnly("rollups_invoices")).resolved).toBe(1);
  });

  it("finds a ledger posting on an invoice that its lines do not explain, per component, and clears it when reversed", async () => {
    const invoice = await someFinalizedInvoice();
    const { results } = await postTransactions(
      database.db,
      [{
        idempotencyKey: "test:stray-invoice-posting", kind: "invoice", actor, references: { customerId: invoice.customerId, invoiceId: invoice.id },
        entries: [
          { accountCode: `customer:${invoice.customerId}:receivable`, direction: "debit", amount: 12_340_000n, currency: invoice.currency },
          { accountCode: "revenue:usage:agent", direction: "credit", amount: 12_340_000n, currency: invoice.currency },
        ],
      }],
      { clock: systemClock },
    );
    const transactionId = (results[0] as { transactionId: string }).transactionId;
    await reconcileOnly("invoice_ledger");
    const found = await openOf("invoice_ledger");
    expect(found.map((item) => [item.objects.component, item.difference, item.amountMicros, item.invoiceId])).toEqual(
      expect.arrayContaining([["receivable", "12340000", 12_340_000n, invoice.id], ["usage", "12340000", 12_340_000n, invoice.id]]),
    );
    expect(found).toHaveLength(2);
    await reverseTransaction(database.db, { transactionId, reason: "test", actor }, { clock: systemClock });
    expect((await reconcileOnly("invoice_ledger")).resolved).toBe(2);
  });

  it("finds a Stripe invoice whose total or status differs from Tally's, to the cent", async () => {
    const invoice = await someFinalizedInvoice();
    const stripeId = "in_test_reconcile_1";
    await database.db.execute(sql`insert into stripe_invoices (stripe_id, customer_id, stripe_created, stripe_customer_id, status, currency, total, amount_due, amount_paid, amount_remaining)
      values (${stripeId}, ${invoice.customerId}, now(), 'cus_test', 'open', ${invoice.currency}, ${invoice.totalCents}, ${invoice.totalCents}, 0, ${invoice.totalCents})`);
    await database.db.update(invoices).set({ stripeInvoiceId: stripeId }).where(eq(invoices.id, invoice.id));
    await reconcileOnly("invoice_stripe");
    expect(await openOf("invoice_stripe")).toEqual([]);
    await database.db.execute(sql`update stripe_invoices set total = total + 1, status = 'paid' where stripe_id = ${stripeId}`);
    await reconcileOnly("invoice_stripe");
    const found = await openOf("invoice_stripe");
    expect(found.map((item) => [item.objects.field, item.difference, item.amountMicros])).toEqual(expect.arrayContaining([["total", "10000", 10_000n], ["status", "-1", 0n]]));
    await database.db.execute(sql`update stripe_invoices set total = total - 1, status = 'open' where stripe_id = ${stripeId}`);
    expect((await reconcileOnly("invoice_stripe")).resolved).toBe(2);
  });

  it("finds a Stripe payment with no cash in the ledger, and clears it once the cash is booked", async () => {
    const invoice = await someFinalizedInvoice();
    const stripeId = "in_test_reconcile_paid";
    // Created a second ago: the window ends at the clock's millisecond, while now() has microseconds.
    await database.db.execute(sql`insert into stripe_invoices (stripe_id, customer_id, stripe_created, stripe_customer_id, status, currency, total, amount_due, amount_paid, amount_remaining)
      values (${stripeId}, ${invoice.customerId}, now() - interval '1 second', 'cus_test', 'paid', 'usd', 4321, 4321, 4321, 0)`);
    await reconcileOnly("stripe_cash");
    const [found] = await openOf("stripe_cash");
    expect(found).toMatchObject({ expected: "43210000", actual: "0", amountMicros: 43_210_000n, objects: { stripeObjectId: stripeId } });
    await ensureAccounts(database.db, [{ code: "cash:stripe", kind: "asset", currency: "usd" }]);
    const posted = await postTransactions(database.db, [{
      idempotencyKey: "test:cash", kind: "payment", actor, references: { customerId: invoice.customerId, stripeObjectId: stripeId },
      entries: [
        { accountCode: "cash:stripe", direction: "debit", amount: 43_210_000n, currency: "usd" },
        { accountCode: `customer:${invoice.customerId}:receivable`, direction: "credit", amount: 43_210_000n, currency: "usd" },
      ],
    }], { clock: systemClock });
    expect(posted.results[0]).toMatchObject({ status: "created" });
    expect((await reconcileOnly("stripe_cash")).resolved).toBe(1);
  });

  it("finds a grant whose ledger balance disagrees with its burns, by the amount", async () => {
    const [grant] = await database.db.execute(sql`select id, customer_id from credit_grants where expired_at is null and ledger_account_id is not null limit 1`) as unknown as { id: string; customer_id: string }[];
    await database.db.execute(sql`insert into credit_burns (idempotency_key, customer_id, currency, amount_micros, covered_micros, at, allocations)
      values ('test:unposted-burn', ${grant!.customer_id}, 'usd', 7500000, 7500000, now(), ${JSON.stringify([{ grantId: grant!.id, amountMicros: "7500000" }])}::jsonb)`);
    await reconcileOnly("grant_balance");
    const [found] = await openOf("grant_balance");
    expect(found).toMatchObject({ objects: { grantId: grant!.id }, difference: "7500000", amountMicros: 7_500_000n });
  });

  it("never deletes a discrepancy", async () => {
    const error = await database.db.delete(reconciliationDiscrepancies).where(isNotNull(reconciliationDiscrepancies.id)).then(() => null, (caught: unknown) => caught);
    expect(String((error as { cause?: { message?: string } } | null)?.cause?.message)).toMatch(/never deleted/);
    expect((await listDiscrepancies(database.db, { status: "all", limit: 200 })).items.length).toBeGreaterThanOrEqual(8);
  });
});
