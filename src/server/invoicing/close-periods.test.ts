import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { allowanceGrants, customerDiscounts, customers, invoiceLines, invoices, subscriptions } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { issueGrant } from "@/server/grants/issue-grant";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { getTrialBalance } from "@/server/ledger/get-trial-balance";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { ingestEvents } from "@/server/metering/ingest-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeDuePeriods } from "./close-due-periods";
import { accountNet, countRows, createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent, type TestCatalog } from "./test-fixtures";

const jan = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour));
const feb = (day: number, hour = 0) => new Date(Date.UTC(2026, 1, day, hour));
const anchor = jan(1);

let database: TestDatabase;
let catalog: TestCatalog;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
  catalog = await createTestCatalog(database.db);
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await expectLedgerConsistent(database.db);
  const trial = await getTrialBalance(database.db, { asOf: new Date("2030-01-01T00:00:00Z") });
  for (const total of trial.totals) expect(total.debit).toBe(total.credit);
});

/** January's usage, chosen so every aggregation and price model has a hand-computed amount. */
function januaryUsage(subject: string) {
  const { eventTypes: types } = catalog;
  const events = [
    usageEvent(types.tokens, subject, jan(1, 1), { model: "opus", tokens: 400 }),
    usageEvent(types.tokens, subject, jan(1, 5), { model: "opus", tokens: 200 }),
    usageEvent(types.tokens, subject, jan(1, 2), { model: "sonnet", tokens: 1500 }),
    usageEvent(types.tokens, subject, jan(2, 6), { model: "sonnet", tokens: 500 }),
    usageEvent(types.tokens, subject, jan(1, 3), { model: "haiku", tokens: 300 }),
    usageEvent(types.session, subject, jan(3), { concurrency: 3 }),
    usageEvent(types.session, subject, jan(4), { concurrency: 7 }),
    usageEvent(types.session, subject, jan(5), { concurrency: 5 }),
  ];
  for (let index = 0; index < 250; index++) events.push(usageEvent(types.request, subject, jan(10 + (index % 5), index % 24), {}));
  for (let index = 0; index < 12; index++) events.push(usageEvent(types.review, subject, jan(15 + (index % 4), index), { repo: ["a", "b", "c"][index % 3] }));
  return events;
}

async function close(until: Date, subscriptionIds?: string[]) {
  return closeDuePeriods(database.db, { until, subscriptionIds }, { clock: fixedClock(until), actor: invoicingActor });
}

async function invoiceOf(subscriptionId: string, periodStart: Date) {
  const rows = await database.db.select().from(invoices).where(eq(invoices.subscriptionId, subscriptionId));
  const invoice = rows.find((row) => row.periodStart.getTime() === periodStart.getTime() && row.kind === "period");
  if (!invoice) throw new Error("no invoice");
  const lines = await database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id)).orderBy(invoiceLines.position);
  return { invoice, lines };
}

describe("closing a period", () => {
  it("rates graduated, per-model, package, volume, unique-count and max usage exactly, with the allowance and the base fee in advance", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor, seats: 2 });
    await ingestAndRollUp(database.db, januaryUsage(customer.externalId), fixedClock(feb(1, 1)));
    const result = await close(feb(1, 1), [customer.subscriptionId]);
    expect(result).toMatchObject({ created: 1, failed: [] });
    const { invoice, lines } = await invoiceOf(customer.subscriptionId, anchor);
    const byDescription = Object.fromEntries(lines.map((line) => [line.description, line]));
    // Allowance 1,000 tokens in order of first use: opus (hour 1) takes 600, sonnet (hour 2) 400, haiku none.
    expect(byDescription["Tokens (model opus)"]).toMatchObject({ usageQuantity: "600", allowanceQuantity: "600", quantity: "0", amountMicros: 0n });
    // Sonnet: 1,600 billable on the default graduated ladder: 1,000 × $0.01 + 600 × $0.005 = $13.
    expect(byDescription["Tokens (model sonnet)"]).toMatchObject({ usageQuantity: "2000", allowanceQuantity: "400", quantity: "1600", amountMicros: 13_000_000n });
    expect(byDescription["Tokens (model sonnet)"]!.tiers.map((tier) => [tier.tier, tier.quantity, tier.amountMicros])).toEqual([
      [1, "1000", "10000000"],
      [2, "600", "3000000"],
    ]);
    expect(byDescription["Tokens (model haiku)"]).toMatchObject({ quantity: "300", amountMicros: 3_000_000n });
    // 250 requests → 3 packages of 100 at $1.
    expect(byDescription["Requests"]).toMatchObject({ quantity: "250", amountMicros: 3_000_000n });
    // 12 reviews → volume tier 2 prices all: 12 × $0.30.
    expect(byDescription["Reviews"]).toMatchObject({ quantity: "12", amountMicros: 3_600_000n });
    // 3 distinct repositories across all hours (not the sum of hourly counts, which is 12).
    expect(byDescription["Repositories"]).toMatchObject({ quantity: "3", amountMicros: 6_000_000n });
    // Max concurrency over the period is 7 → $10.50.
    expect(byDescription["Peak sessions"]).toMatchObject({ quantity: "7", amountMicros: 10_500_000n });
    // February's base fee in advance: 2 seats × $10.
    const fee = lines.find((line) => line.kind === "base_fee")!;
    expect(fee).toMatchObject({ quantity: "2", amountMicros: 20_000_000n });
    expect(fee.servicePeriodStart).toEqual(feb(1));
    expect(invoice).toMatchObject({ number: expect.stringMatching(/^TLY-\d{6}$/), status: "finalized", subtotalMicros: 59_100_000n, totalMicros: 59_100_000n, totalCents: 5_910n, roundingMicros: 0n });
    expect(await accountNet(database.db, ledgerAccountCodes.customerReceivable(customer.customerId))).toBe(59_100_000n);
    expect(await accountNet(database.db, ledgerAccountCodes.customerUnbilled(customer.customerId))).toBe(0n);
    expect(await accountNet(database.db, ledgerAccountCodes.revenueUsage(catalog.productKeys.review))).toBeLessThanOrEqual(-9_600_000n);
  });

  it("changes nothing when run twice, or concurrently from several processes", async () => {
    const customers = await Promise.all([0, 1, 2].map(() => createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor })));
    await ingestAndRollUp(database.db, customers.flatMap((customer) => januaryUsage(customer.externalId)), fixedClock(feb(1, 1)));
    const ids = customers.map((customer) => customer.subscriptionId);
    const runs = await Promise.all([0, 1, 2, 3].map(() => close(feb(1, 1), ids)));
    expect(runs.reduce((sum, run) => sum + run.created, 0)).toBe(3);
    expect(runs.flatMap((run) => run.failed)).toEqual([]);
    const counts = await Promise.all((["invoices", "invoice_lines", "ledger_transactions", "ledger_entries", "billed_usage"] as const).map((table) => countRows(database.db, table)));
    const again = await close(feb(1, 1), ids);
    expect(again).toMatchObject({ created: 0 });
    expect(await Promise.all((["invoices", "invoice_lines", "ledger_transactions", "ledger_entries", "billed_usage"] as const).map((table) => countRows(database.db, table)))).toEqual(counts);
    const numbers = (await database.db.select({ number: invoices.number }).from(invoices)).map((row) => Number(row.number!.slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });

  it("bills usage that arrived after the close as a labelled late-usage line on the next invoice", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
    await ingestAndRollUp(database.db, januaryUsage(customer.externalId), fixedClock(feb(1, 1)));
    await close(feb(1, 1), [customer.subscriptionId]);
    const january = await invoiceOf(customer.subscriptionId, anchor);
    // 101 more Sonnet tokens for January arrive on Feb 3: 101 × $0.005 = $0.505.
    await ingestAndRollUp(database.db, [usageEvent(catalog.eventTypes.tokens, customer.externalId, jan(20), { model: "sonnet", tokens: 101 })], fixedClock(feb(3)));
    await close(new Date(Date.UTC(2026, 2, 1, 1)), [customer.subscriptionId]);
    const february = await invoiceOf(customer.subscriptionId, feb(1));
    const late = february.lines.filter((line) => line.kind === "late_usage");
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ description: "Late usage: Tokens (model sonnet), 2026-01-01 – 2026-02-01", quantity: "101", amountMicros: 505_000n, amountCents: 50n });
    // The finalized January invoice is untouched.
    expect((await invoiceOf(customer.subscriptionId, anchor)).invoice).toEqual(january.invoice);
    // Half-even at the cent: 50.5 cents → 50; the half cent lands in `rounding`, so receivable is in whole cents.
    expect(february.invoice.roundingMicros).toBe(5_000n);
    expect(await accountNet(database.db, ledgerAccountCodes.customerReceivable(customer.customerId))).toBe((january.invoice.totalCents + february.invoice.totalCents) * 10_000n);
  });

  it("marks usage for invoiced time late: events arriving after the close, and those it could not include yet", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
    const tokens = (time: Date, count = 10) => usageEvent(catalog.eventTypes.tokens, customer.externalId, time, { model: "haiku", tokens: count });
    // January's allowance (1,000 tokens) used up on time, so the late tokens are billable.
    const onTime = tokens(jan(10), 1000);
    await ingestAndRollUp(database.db, [onTime], fixedClock(feb(1, 1)));
    // Stored before the close but not rolled up when it runs: January's invoice cannot include it.
    const inFlight = tokens(jan(25));
    await ingestEvents(database.db, [inFlight], { clock: fixedClock(feb(1, 1)) });
    await close(feb(1, 1), [customer.subscriptionId]);
    const [row] = await database.db.select({ through: customers.usageInvoicedThrough }).from(customers).where(eq(customers.id, customer.customerId));
    expect(row?.through).toEqual(feb(1));
    const afterClose = tokens(jan(31, 23));
    const february = tokens(feb(2));
    await ingestAndRollUp(database.db, [afterClose, february], fixedClock(feb(3)));
    const flags = await executeRows<{ event_id: string; late: boolean }>(
      database.db,
      sql`select event_id, late from usage_events where customer_id = ${customer.customerId}`,
    );
    expect(Object.fromEntries(flags.map((flag) => [flag.event_id, flag.late]))).toEqual({
      [String(onTime.id)]: false,
      [String(inFlight.id)]: true,
      [String(afterClose.id)]: true,
      [String(february.id)]: false,
    });
    // Both late events are billed on February's invoice as late usage: 20 haiku tokens at $0.01.
    await close(new Date(Date.UTC(2026, 2, 1, 1)), [customer.subscriptionId]);
    const late = (await invoiceOf(customer.subscriptionId, feb(1))).lines.filter((line) => line.kind === "late_usage");
    expect(late.map((line) => [line.quantity, line.amountMicros])).toEqual([["20", 200_000n]]);
  });

  it("applies promotion allowances, discounts and credits as lines and in the ledger", async () => {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
    await database.db.insert(allowanceGrants).values({ customerId: customer.customerId, featureKey: "tokens", meterKey: catalog.meterKeys.tokens, quantityPerPeriod: "300", startsAt: jan(1), endsAt: feb(1) });
    await database.db.insert(customerDiscounts).values({ customerId: customer.customerId, productKey: catalog.productKeys.review, percentBasisPoints: 2500, currency: "usd", periodsTotal: 1, periodsRemaining: 1, startsAt: jan(1), endsAt: feb(28) });
    await issueGrant(database.db, invoicingActor, fixedClock(jan(1)), { customerId: customer.customerId, amountMicros: 5_000_000n, category: "promotional", source: "support", idempotencyKey: `grant-${customer.customerId}` });
    await ingestAndRollUp(database.db, januaryUsage(customer.externalId), fixedClock(feb(1, 1)));
    await close(feb(1, 1), [customer.subscriptionId]);
    const { invoice, lines } = await invoiceOf(customer.subscriptionId, anchor);
    // Allowance 1,300: sonnet gets 700 → 1,300 billable = $10 + 300 × $0.005 = $11.50.
    expect(lines.find((line) => line.description === "Tokens (model sonnet)")).toMatchObject({ allowanceQuantity: "700", amountMicros: 11_500_000n });
    // 25% off review usage ($3.60 + $6 = $9.60) = $2.40.
    expect(lines.find((line) => line.kind === "discount")).toMatchObject({ amountMicros: -2_400_000n });
    // $5 of credit burns against usage (agent first alphabetically, then review).
    const credits = lines.filter((line) => line.kind === "credit");
    expect(credits.reduce((sum, line) => sum + line.amountMicros, 0n)).toBe(-5_000_000n);
    // Usage $11.50 + $3 + $3 + $10.50 + $9.60 = $37.60, fee $10, discount $2.40, credits $5.
    expect(invoice).toMatchObject({ subtotalMicros: 47_600_000n, discountMicros: 2_400_000n, creditMicros: 5_000_000n, totalMicros: 40_200_000n, totalCents: 4_020n });
    expect(await accountNet(database.db, ledgerAccountCodes.customerReceivable(customer.customerId))).toBe(40_200_000n);
    expect(await accountNet(database.db, ledgerAccountCodes.customerUnbilled(customer.customerId))).toBe(0n);
    const [discount] = await database.db.select().from(customerDiscounts).where(eq(customerDiscounts.customerId, customer.customerId));
    expect(discount!.periodsRemaining).toBe(0);
  });

  it("bills no usage before the trial ends or after the subscription ended, and no base fee past the end", async () => {
    const requests = (subject: string, day: number) => Array.from({ length: 100 }, () => usageEvent(catalog.eventTypes.request, subject, jan(day), {}));
    const trial = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor, trialEnd: jan(15, 12) });
    const ended = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
    await database.db.update(subscriptions).set({ status: "canceled", canceledAt: jan(20), endedAt: jan(20) }).where(eq(subscriptions.id, ended.subscriptionId));
    await ingestAndRollUp(database.db, [...requests(trial.externalId, 10), ...requests(trial.externalId, 20), ...requests(ended.externalId, 5), ...requests(ended.externalId, 25)], fixedClock(feb(1, 1)));
    await close(feb(1, 1), [trial.subscriptionId, ended.subscriptionId]);
    // Trial: only the 100 requests after Jan 15 12:00 (one package, $1) plus February's fee ($10).
    expect((await invoiceOf(trial.subscriptionId, anchor)).invoice.totalMicros).toBe(11_000_000n);
    // Ended on Jan 20: the 100 requests before the end, no fee for February, and nothing more to close later.
    const last = await invoiceOf(ended.subscriptionId, anchor);
    expect(last.invoice.totalMicros).toBe(1_000_000n);
    expect(last.lines.some((line) => line.kind === "base_fee")).toBe(false);
    expect(await close(new Date(Date.UTC(2026, 3, 1)), [ended.subscriptionId])).toMatchObject({ periodsDue: 0, created: 0 });
  });
});
