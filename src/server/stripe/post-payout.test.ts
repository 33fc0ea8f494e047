import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { closeAccountingPeriod } from "@/server/reports/periods/close-accounting-period";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import type { PayoutBalanceTransaction, PayoutRecord } from "./payout-record";
import { buildPayoutTransfer, postPayout } from "./post-payout";
import { stripeLedgerSnapshot } from "./test-support";

const at = new Date("2026-03-10T00:00:00Z");

function transaction(index: number, type: "charge" | "refund", amountMinor: bigint, feeMinor: bigint): PayoutBalanceTransaction {
  return { stripeId: `txn_${index}`, type, reportingCategory: type, sourceId: `${type === "charge" ? "ch" : "re"}_${index}`, amountMinor, feeMinor, netMinor: amountMinor - feeMinor, currency: "usd", status: "available", availableOn: at, created: at };
}

function payout(id: string, transactions: PayoutBalanceTransaction[], overrides: Partial<PayoutRecord> = {}): PayoutRecord {
  const net = transactions.reduce((sum, each) => sum + each.netMinor, 0n);
  return { stripeId: id, livemode: false, created: at, amountMinor: net, currency: "usd", status: "paid", arrivalDate: at, automatic: true, method: "standard", failureCode: null, failureMessage: null, transactions, ...overrides };
}

const chargeArbitrary = fc.record({ amount: fc.bigInt({ min: 1n, max: 99_999_999n }), fee: fc.bigInt({ min: 0n, max: 3_000_000n }), refunded: fc.bigInt({ min: 0n, max: 99_999_999n }) });

describe("a payout's ledger transfer (pure)", () => {
  it("balances to the micro-unit: gross out of cash:stripe = net to the bank + fees expensed", () => {
    fc.assert(
      fc.property(fc.array(chargeArbitrary, { minLength: 1, maxLength: 50 }), (charges) => {
        const transactions = charges.flatMap((charge, index) => [
          transaction(index * 2, "charge", charge.amount, charge.fee),
          ...(charge.refunded > 0n && charge.refunded <= charge.amount ? [transaction(index * 2 + 1, "refund", -charge.refunded, 0n)] : []),
        ]);
        const record = payout("po_property", transactions);
        fc.pre(record.amountMinor > 0n);
        const transfer = buildPayoutTransfer(record);
        const signed = (code: string) => transfer.entries.filter((entry) => entry.accountCode === code).reduce((sum, entry) => sum + (entry.direction === "debit" ? entry.amount : -entry.amount), 0n);
        const gross = transactions.reduce((sum, each) => sum + each.amountMinor, 0n);
        const fees = transactions.reduce((sum, each) => sum + each.feeMinor, 0n);
        expect(transfer.entries.every((entry) => entry.amount > 0n && entry.currency === "usd")).toBe(true);
        expect(transfer.entries.reduce((sum, entry) => sum + (entry.direction === "debit" ? entry.amount : -entry.amount), 0n)).toBe(0n);
        expect(signed(ledgerAccountCodes.cashStripe())).toBe(-gross * 10_000n);
        expect(signed(ledgerAccountCodes.cashBank())).toBe(record.amountMinor * 10_000n);
        expect(signed(ledgerAccountCodes.expenseStripeFees())).toBe(fees * 10_000n);
      }),
    );
  });

  it("refuses a payout whose listed transactions do not add up to its amount", () => {
    const record = payout("po_short", [transaction(1, "charge", 10_000n, 320n)], { amountMinor: 9_000n });
    expect(() => buildPayoutTransfer(record)).toThrow(expect.objectContaining({ code: "stripe_payout_incomplete" }) as Error);
  });

  it("posts zero-decimal currencies in whole units", () => {
    const transfer = buildPayoutTransfer(payout("po_jpy", [{ ...transaction(1, "charge", 5_000n, 175n), currency: "jpy" }], { currency: "jpy" }));
    expect(transfer.entries.map((entry) => [entry.accountCode, entry.direction, entry.amount])).toEqual([
      ["cash:stripe:jpy", "credit", 5_000_000_000n],
      ["cash:bank:jpy", "debit", 4_825_000_000n],
      ["expense:stripe_fees:jpy", "debit", 175_000_000n],
    ]);
  });
});

describe("posting payouts", () => {
  let database: TestDatabase;
  const clock = fixedClock("2026-04-20T00:00:00Z");
  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 4 });
    const [cash, receivable] = await ensureAccounts(database.db, [
      { code: ledgerAccountCodes.cashStripe(), kind: "asset", currency: "usd" },
      { code: "customer:00000000-0000-4000-8000-000000000000:receivable", kind: "asset", currency: "usd" },
    ]);
    await postTransactions(
      database.db,
      [
        {
          idempotencyKey: "payment",
          actor: systemActor("test"),
          kind: "payment",
          effectiveAt: new Date("2026-03-08T10:00:00Z"),
          entries: [
            { accountId: cash!.id, direction: "debit", amount: 300_000_000n, currency: "usd" },
            { accountId: receivable!.id, direction: "credit", amount: 300_000_000n, currency: "usd" },
          ],
        },
      ],
      { clock },
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("dates a payout that arrived in a closed month in the next open period, and posts it once", async () => {
    const { db } = database;
    await closeAccountingPeriod(db, { month: "2026-03", actor: systemActor("test") }, { clock });
    const record = payout("po_closed", [transaction(1, "charge", 10_000n, 320n)]);
    expect(await postPayout(db, clock, record)).toBe("created");
    expect(await postPayout(db, clock, record)).toBe("exists");
    const [posted] = await executeRows<{ effective_at: Date }>(db, sql`select effective_at from ledger_transactions where idempotency_key = 'stripe:payout:po_closed'`);
    expect(new Date(posted!.effective_at).getTime()).toBeGreaterThanOrEqual(Date.parse("2026-04-01T00:00:00Z"));
    await expectLedgerConsistent(db);
  });

  it("a failed payout brings its net back to the Stripe balance and leaves the fees spent; pending ones post nothing", async () => {
    const { db } = database;
    const before = await stripeLedgerSnapshot(db);
    expect(await postPayout(db, clock, payout("po_pending", [transaction(2, "charge", 20_000n, 610n)], { status: "pending", arrivalDate: new Date("2026-04-21T00:00:00Z") }))).toBe("skipped");
    const failed = payout("po_failed", [transaction(3, "charge", 20_000n, 610n)], { status: "failed", failureCode: "account_closed", arrivalDate: new Date("2026-04-21T00:00:00Z") });
    expect(await postPayout(db, clock, failed, { failedAt: new Date("2026-04-22T00:00:00Z") })).toBe("created");
    expect(await postPayout(db, clock, failed, { failedAt: new Date("2026-04-22T00:00:00Z") })).toBe("exists");
    const after = await stripeLedgerSnapshot(db);
    const moved = (code: string) => BigInt(after.balances[code] ?? "0") - BigInt(before.balances[code] ?? "0");
    expect(moved("cash:stripe")).toBe(-610n * 10_000n);
    expect(moved("cash:bank")).toBe(0n);
    expect(moved("expense:stripe_fees")).toBe(610n * 10_000n);
    await expectLedgerConsistent(db);
  });
});
