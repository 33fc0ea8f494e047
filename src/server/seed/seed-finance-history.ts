import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, planVersions, plans, subscriptions } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, type Clock } from "@/server/clock";
import { burnGrants } from "@/server/grants/burn-grants";
import { issueGrant } from "@/server/grants/issue-grant";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { TransferInput } from "@/server/ledger/types";
import { seedDemoPayouts } from "@/server/stripe/seed-demo-payouts";
import { closeAccountingPeriod } from "@/server/reports/periods/close-accounting-period";
import { listAccountingPeriods } from "@/server/reports/periods/list-accounting-periods";
import { monthAt, type Month } from "@/server/reports/periods/month";
import { seededRandom } from "./random";

const actor = systemActor("seed-finance");
const historyMonths = 6;
const dayMs = 86_400_000;
const usd = "usd";

/**
 * Six months of billing history in the ledger before the demo's own month of usage (Tally took
 * over billing with a migration of these books): per subscribed customer and month, the base fee
 * and usage invoiced, most invoices paid a few days later (some late, a few never: aging), a
 * promotional or goodwill credit now and then, used on usage, a refund, a write-off and a
 * reversal. Then the months before last are closed (with their snapshots), so every report shows
 * history and last month is left for finance to close in the demo. Idempotent: fixed keys, and
 * closed months are skipped.
 */
export async function seedFinanceHistory(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const current = monthAt(now);
  const months: Month[] = [];
  for (let month = monthAt(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - historyMonths - 1, 1))); month.start < current.start; month = monthAt(month.end)) months.push(month);
  const closed = new Set((await listAccountingPeriods(db)).filter((period) => period.status === "closed").map((period) => period.periodStart.getTime()));
  const live = await db
    .select({ id: customers.id, externalId: customers.externalId, kind: customers.kind, planKey: plans.key, seats: subscriptions.seats, fee: planVersions.baseFeePerSeatMicros })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(ne(subscriptions.status, "canceled"), ne(subscriptions.status, "incomplete")))
    .orderBy(customers.externalId)
    .limit(60);
  if (live.length === 0) return "skipped (no subscriptions)";
  // Every month before last: last month stays open for finance to close in the demo.
  const lastMonth = monthAt(new Date(current.start.getTime() - 1));
  const historyMonthsOnly = months.filter((month) => month.end.getTime() <= lastMonth.start.getTime());
  const random = seededRandom(1414);
  let posted = 0;
  await ensureAccounts(db, [
    { code: ledgerAccountCodes.cashStripe(), kind: "asset", currency: usd },
    { code: ledgerAccountCodes.revenueUsage("agent"), kind: "revenue", currency: usd },
    { code: ledgerAccountCodes.revenueUsage("code_review"), kind: "revenue", currency: usd },
    { code: ledgerAccountCodes.expenseBadDebt(), kind: "expense", currency: usd },
    ...[...new Set(live.map((customer) => customer.planKey))].map((plan) => ({ code: ledgerAccountCodes.revenueSubscription(plan), kind: "revenue" as const, currency: usd })),
    ...live.flatMap((customer) => [
      { code: ledgerAccountCodes.customerUnbilled(customer.id), kind: "asset" as const, currency: usd, customerId: customer.id },
      { code: ledgerAccountCodes.customerReceivable(customer.id), kind: "asset" as const, currency: usd, customerId: customer.id },
    ]),
  ]);
  for (const month of historyMonthsOnly) {
    if (closed.has(month.start.getTime())) continue;
    const batch: TransferInput[] = [];
    for (const [index, customer] of live.entries()) {
      const key = (what: string) => `seed-finance:${month.key}:${customer.externalId}:${what}`;
      const at = (day: number, hour = 12) => new Date(Math.min(month.start.getTime() + (day - 1) * dayMs + hour * 3_600_000, month.end.getTime() - 1));
      const references = { customerId: customer.id };
      // The month's invoice as the migrated books knew it: fee, usage and their payment net against it in aging.
      const invoiced = { customerId: customer.id, invoiceId: `migrated-${month.key}-${customer.externalId}` };
      const receivable = ledgerAccountCodes.customerReceivable(customer.id);
      const unbilled = ledgerAccountCodes.customerUnbilled(customer.id);
      const fee = customer.fee * BigInt(customer.seats);
      const usage = BigInt(random.int(customer.kind === "team" ? 20_000 : 1_000, customer.kind === "team" ? 400_000 : 60_000)) * 1_000n;
      const reviews = customer.kind === "team" ? BigInt(random.int(0, 90)) * 500_000n : 0n;
      const entry = (accountCode: string, direction: "debit" | "credit", amount: bigint) => ({ accountCode, direction, amount, currency: usd });
      if (fee > 0n) {
        batch.push({ idempotencyKey: key("fee"), actor, kind: "invoice", effectiveAt: at(1, 1), references: invoiced, description: `Subscription ${customer.planKey}, ${month.key}`, entries: [entry(receivable, "debit", fee), entry(ledgerAccountCodes.revenueSubscription(customer.planKey), "credit", fee)] });
      }
      const usageEntries = [entry(unbilled, "debit", usage + reviews), entry(ledgerAccountCodes.revenueUsage("agent"), "credit", usage)];
      if (reviews > 0n) usageEntries.push(entry(ledgerAccountCodes.revenueUsage("code_review"), "credit", reviews));
      batch.push({ idempotencyKey: key("usage"), actor, kind: "usage_accrual", effectiveAt: at(28, 23), references, description: `Usage rated, ${month.key}`, entries: usageEntries });
      batch.push({ idempotencyKey: key("usage-invoice"), actor, kind: "invoice", effectiveAt: at(28, 23), references: invoiced, description: `Usage invoiced, ${month.key}`, entries: [entry(receivable, "debit", usage + reviews), entry(unbilled, "credit", usage + reviews)] });
      const unpaid = index % 11 === 3 && month === historyMonthsOnly.at(-1);
      if (!unpaid) {
        const late = index % 7 === 2;
        batch.push({ idempotencyKey: key("payment"), actor, kind: "payment", effectiveAt: at(late ? 27 : 3, 9), references: invoiced, description: "Stripe payment", entries: [entry(ledgerAccountCodes.cashStripe(), "debit", fee + usage + reviews), entry(receivable, "credit", fee + usage + reviews)] });
      }
      if (index % 13 === 5) {
        batch.push({ idempotencyKey: key("refund"), actor, kind: "refund", effectiveAt: at(18), references: { ...references, stripeObjectId: `re_seed_${month.key}_${index}` }, description: "Refund: duplicate charge", entries: [entry(receivable, "debit", 5_000_000n), entry(ledgerAccountCodes.cashStripe(), "credit", 5_000_000n)] });
      }
      if (index % 17 === 9 && month === historyMonthsOnly[1]) {
        batch.push({ idempotencyKey: key("write-off"), actor, kind: "write_off", effectiveAt: at(25), references, description: "Bad debt: card expired, customer unreachable", entries: [entry(ledgerAccountCodes.expenseBadDebt(), "debit", 12_000_000n), entry(receivable, "credit", 12_000_000n)] });
      }
    }
    const { results } = await postTransactions(db, batch, { clock });
    posted += results.filter((result) => result.status === "created").length;
    for (const [index, customer] of live.entries()) {
      if (index % 5 !== month.start.getUTCMonth() % 5) continue;
      const category = index % 2 === 0 ? "promotional" : "goodwill";
      const effectiveAt = new Date(month.start.getTime() + 5 * dayMs);
      // Posted when it was granted (issueGrant posts at its clock's now).
      await issueGrant(db, actor, fixedClock(effectiveAt), {
        customerId: customer.id,
        amountMicros: 25_000_000n,
        category,
        effectiveAt,
        expiresAt: new Date(effectiveAt.getTime() + (index % 3 === 0 ? 120 : 60) * dayMs),
        source: category === "promotional" ? "promotion" : "support",
        reason: category === "promotional" ? "Spring launch credit" : "Outage on the 4th",
        idempotencyKey: `seed-finance:${month.key}:${customer.externalId}:grant`,
      });
      await burnGrants(
        db,
        { customerId: customer.id, currency: usd, amountMicros: 9_000_000n, scope: { productKey: "agent", meterKey: "llm_tokens" }, at: new Date(effectiveAt.getTime() + 20 * dayMs), idempotencyKey: `seed-finance:${month.key}:${customer.externalId}:burn`, actor },
        { clock },
      );
    }
  }
  // A reversal with a reason: a fee posted twice by a migration script.
  const firstMonth = historyMonthsOnly[0];
  if (firstMonth && !closed.has(firstMonth.start.getTime())) {
    const [target] = await executeRows<{ id: string }>(db, sql`select id from ledger_transactions where idempotency_key = ${`seed-finance:${firstMonth.key}:${live[0]!.externalId}:fee`}`);
    if (target) {
      await postTransactions(db, [{ type: "reverse", idempotencyKey: `seed-finance:${firstMonth.key}:reverse-fee`, transactionId: target.id, actor, effectiveAt: new Date(firstMonth.start.getTime() + 20 * dayMs), description: "Reversal: fee billed twice by the migration" }], { clock });
    }
  }
  // Stripe paid the collected cash out to the bank, before the months are closed.
  const payouts = await seedDemoPayouts(db, clock);
  let closedNow = 0;
  for (const month of historyMonthsOnly) {
    if (closed.has(month.start.getTime())) continue;
    await closeAccountingPeriod(db, { month: month.key, actor }, { clock });
    closedNow++;
  }
  return `${posted} ledger transactions over ${historyMonthsOnly.length} months for ${live.length} customers, ${payouts}, ${closedNow} months closed (last month left open to close)`;
}
