import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ensureAccounts } from "./ensure-accounts";
import { LedgerModel } from "./ledger-model";
import { postTransactions } from "./post-transactions";
import { readCurrentTotals } from "./read-balances";
import { createTestCustomer, testActor, transfer } from "./test-fixtures";
import { expectLedgerConsistent } from "./testing";
import type { PostTransactionInput, TransferInput } from "./types";

const opKinds = ["post", "post", "post", "fund", "retry", "retry_changed", "linked", "hold", "post_hold", "void_hold", "expire", "reverse", "reverse_twice", "advance"] as const;
const op = fc.record({
  kind: fc.constantFrom(...opKinds),
  a: fc.nat(5),
  b: fc.nat(5),
  amount: fc.bigInt(1n, 60n),
  pick: fc.nat(1000),
  bad: fc.nat(3),
  partial: fc.boolean(),
});
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/**
 * Every run gets accounts of its own (fresh customers, platform accounts with a run suffix) and
 * keys of its own in one shared database, so each run starts from zero balances exactly as on a
 * fresh database, without paying for a database per run.
 */
async function createRunChart(db: Db, run: number) {
  const customerId = await createTestCustomer(db);
  const otherCustomerId = await createTestCustomer(db);
  const accounts = await ensureAccounts(db, [
    { code: `customer:${customerId}:grant:g1`, kind: "liability", currency: "usd", customerId, nonNegative: true },
    { code: `customer:${otherCustomerId}:grant:g2`, kind: "liability", currency: "usd", customerId: otherCustomerId, nonNegative: true },
    { code: `customer:${customerId}:unbilled`, kind: "asset", currency: "usd", customerId },
    { code: `revenue:usage:model-run-${run}`, kind: "revenue", currency: "usd" },
    { code: `expense:promotions:model-run-${run}`, kind: "expense", currency: "usd" },
    { code: `cash:stripe:model-run-${run}`, kind: "asset", currency: "usd" },
  ]);
  const [grant, grant2, unbilled, revenue, promotions, cash] = accounts.map((account) => account.id) as [string, string, string, string, string, string];
  return { grant, grant2, unbilled, revenue, promotions, cash };
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("the ledger against its reference model", () => {
  it("agrees on every result and every balance after every step", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        run += 1;
        {
          const chart = await createRunChart(database.db, run);
          const grant2 = chart.grant2;
          const accounts = [chart.grant, grant2, chart.unbilled, chart.revenue, chart.promotions, chart.cash];
          const model = new LedgerModel();
          model.addAccount(chart.grant, "liability", true);
          model.addAccount(grant2, "liability", true);
          model.addAccount(chart.unbilled, "asset", false);
          model.addAccount(chart.revenue, "revenue", false);
          model.addAccount(chart.promotions, "expense", false);
          model.addAccount(chart.cash, "asset", false);
          const clock = fixedClock("2025-05-01T00:00:00Z");
          const sent: PostTransactionInput[] = [];
          const created: Array<{ id: string; hold: boolean }> = [];
          let sequence = 0;
          const key = (prefix: string) => `run-${run}-${prefix}-${++sequence}`;

          const batchFor = (step: Op): PostTransactionInput[] => {
            const debit = accounts[step.a]!;
            const credit = accounts[step.b === step.a ? (step.b + 1) % accounts.length : step.b]!;
            const holds = created.filter((each) => each.hold);
            const pickHold = () => (holds.length ? holds[step.pick % holds.length]!.id : "01900000-0000-7000-8000-00000000dead");
            const pickAny = () => (created.length ? created[step.pick % created.length]!.id : "01900000-0000-7000-8000-00000000beef");
            switch (step.kind) {
              case "post":
                return [transfer(key("t"), debit, credit, step.amount)];
              case "fund":
                return [transfer(key("f"), chart.promotions, step.partial ? grant2 : chart.grant, step.amount * 3n, { kind: "credit_grant" })];
              case "retry":
                return sent.length ? [sent[step.pick % sent.length]!] : [transfer(key("t"), debit, credit, step.amount)];
              case "retry_changed": {
                const transfers = sent.filter((item): item is TransferInput => item.type === undefined && item.entries.length === 2);
                if (!transfers.length) return [transfer(key("t"), debit, credit, step.amount)];
                const original = transfers[step.pick % transfers.length]!;
                return [{ ...original, entries: original.entries.map((entry) => ({ ...entry, amount: entry.amount + 1n })) }];
              }
              case "linked": {
                const third: TransferInput =
                  step.bad === 0
                    ? { ...transfer(key("l"), debit, credit, step.amount), entries: [{ accountId: debit, direction: "debit", amount: step.amount, currency: "usd" }, { accountId: credit, direction: "credit", amount: step.amount + 1n, currency: "usd" }] }
                    : step.bad === 1
                      ? transfer(key("l"), chart.grant, chart.unbilled, 1_000_000n)
                      : transfer(key("l"), credit, debit, step.amount, { linked: step.bad === 3 });
                return [transfer(key("l"), debit, credit, step.amount, { linked: true }), transfer(key("l"), chart.grant, chart.unbilled, step.amount, { linked: true }), third];
              }
              case "hold":
                return [transfer(key("h"), debit, credit, step.amount, { pending: step.partial ? {} : { expiresAt: new Date(clock.now().getTime() + 60_000) } })];
              case "post_hold":
                return [{ type: "post_pending", idempotencyKey: key("p"), pendingTransactionId: pickHold(), actor: testActor, ...(step.partial ? { amount: step.amount } : {}) }];
              case "void_hold":
                return [{ type: "void_pending", idempotencyKey: key("v"), pendingTransactionId: pickHold(), actor: testActor }];
              case "expire":
                clock.advanceMs(61_000);
                return [{ type: "expire_pending", idempotencyKey: key("x"), pendingTransactionId: pickHold(), actor: testActor }];
              case "reverse":
                return [{ type: "reverse", idempotencyKey: key("r"), transactionId: pickAny(), actor: testActor }];
              case "reverse_twice": {
                const target = pickAny();
                return [
                  { type: "reverse", idempotencyKey: key("r"), transactionId: target, actor: testActor },
                  { type: "reverse", idempotencyKey: key("r"), transactionId: target, actor: testActor },
                ];
              }
              case "advance":
                clock.advanceMs(30_000);
                return [];
            }
          };

          for (const step of ops) {
            const batch = batchFor(step);
            if (batch.length === 0) continue;
            const expected = model.apply(batch, clock.now());
            const { results } = await postTransactions(database.db, batch, { clock });
            expect(results.map((result) => result.status)).toEqual(expected.map((result) => result.status));
            results.forEach((result, index) => {
              const want = expected[index]!;
              if (want.transactionId) expect((result as { transactionId?: string }).transactionId).toBe(want.transactionId);
              if (result.status === "created") {
                model.bind(index, result.transactionId);
                const item = batch[index]!;
                created.push({ id: result.transactionId, hold: item.type === undefined && item.pending !== undefined });
              }
            });
            sent.push(...batch);
            const totals = await readCurrentTotals(database.db, accounts);
            for (const account of accounts) expect(totals.get(account)).toEqual(model.totals(account));
          }
          await expectLedgerConsistent(database.db);
        }
      }),
      { numRuns: 30, ...(process.env.LEDGER_MODEL_SEED ? { seed: Number(process.env.LEDGER_MODEL_SEED), path: process.env.LEDGER_MODEL_PATH } : {}) },
    );
    // A few seconds on a quiet machine; the margin is for a shared, busy one.
  }, 180_000);
});
