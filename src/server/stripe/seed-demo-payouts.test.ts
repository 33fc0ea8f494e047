import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { stripePayouts } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { runReport } from "@/server/reports/registry";
import { seedDemo } from "@/server/seed/seed-demo";
import { createTestDatabase, type TestDatabase } from "@/test/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedDemo({ db: database.db, clock: systemClock, log: () => {} });
}, 240_000);
afterAll(async () => {
  await database?.drop();
});

describe("demo payouts", () => {
  it("pays the seeded payments out, so the Cash report shows payouts that tie to the ledger; seeding again changes none of them", async () => {
    const { db } = database;
    const payouts = await db.select().from(stripePayouts);
    expect(payouts.length).toBeGreaterThanOrEqual(10);
    expect(payouts.every((payout) => payout.status === "paid" && payout.amount === payout.gross - payout.fee && payout.paymentCount + payout.refundCount > 0)).toBe(true);
    const now = new Date();
    const lastMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const sixMonthsAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, 1)).toISOString().slice(0, 10);
    const report = await runReport(db, "cash", { from: sixMonthsAgo, to: lastMonthStart, granularity: "payout" });
    expect(report.rows.filter((row) => !row.subtotal).length).toBeGreaterThanOrEqual(8);
    for (const line of report.reconciliation) expect(line.report).toBe(line.ledger);
    const byMonth = await runReport(db, "cash", { from: sixMonthsAgo, to: lastMonthStart, granularity: "month" });
    for (const line of byMonth.reconciliation) expect(line.report).toBe(line.ledger);
    // What is left at Stripe is what has not been paid out yet, and sub-cent remainders.
    const [left] = await executeRows<{ balance: string }>(db, sql`select coalesce(sum(e.amount), 0)::text as balance from ledger_entries e join ledger_accounts a on a.id = e.account_id and a.code = 'cash:stripe' where e.effective_at < ${sixMonthsAgo}::timestamptz`);
    expect(BigInt(left!.balance)).toBeLessThan(100n * 10_000n);
    // Seeding again leaves these payouts as they were; it pays out only what the rerun collected (the demo's
    // invoicing bills periods that ended since), never a payment twice.
    await seedDemo({ db, clock: systemClock, log: () => {} });
    const again = new Map((await db.select().from(stripePayouts)).map((row) => [row.stripeId, row]));
    for (const payout of payouts) expect({ ...again.get(payout.stripeId), syncedAt: null }).toEqual({ ...payout, syncedAt: null });
    const [twice] = await executeRows<{ count: number }>(db, sql`select count(*)::int as count from (select t.id from ledger_transactions t join stripe_balance_transactions b on b.stripe_id = 'txn_seed_' || t.id::text group by t.id having count(*) > 1) x`);
    expect(twice!.count).toBe(0);
    await expectLedgerConsistent(db);
  }, 240_000);
});
