import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresError } from "@/db/errors";
import { executeRows } from "@/db/execute";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { expireHolds } from "./expire-holds";
import { getAccountBalance } from "./get-account-balance";
import { postTransactions } from "./post-transactions";
import { reverseTransaction } from "./reverse-transaction";
import { createChart, createTestCustomer, testActor, transfer } from "./test-fixtures";
import { expectLedgerConsistent } from "./testing";
import { verifyLedger } from "./verify-ledger";
import { ledgerLimits, type PostTransactionInput } from "./types";

let database: TestDatabase;
let chart: Awaited<ReturnType<typeof createChart>>;
const clock = fixedClock("2025-03-01T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  chart = await createChart(database.db, await createTestCustomer(database.db));
});
afterAll(async () => {
  await database.drop();
});

async function post(items: PostTransactionInput[]) {
  return (await postTransactions(database.db, items, { clock })).results;
}

async function counts() {
  const [row] = await executeRows<{ transactions: number; entries: number }>(
    database.db,
    sql`select (select count(*) from ledger_transactions)::int as transactions, (select count(*) from ledger_entries)::int as entries`,
  );
  return row!;
}

describe("postTransactions", () => {
  it("creates, then answers retries by key: same content exists, other content conflicts", async () => {
    const [created] = await post([transfer("grant-1", chart.promotions, chart.grant, 10_000_000n, { kind: "credit_grant" })]);
    expect(created!.status).toBe("created");
    const [again] = await post([transfer("grant-1", chart.promotions, chart.grant, 10_000_000n, { kind: "credit_grant" })]);
    expect(again).toEqual({ status: "exists", transactionId: (created as { transactionId: string }).transactionId });
    const [changed] = await post([transfer("grant-1", chart.promotions, chart.grant, 9_000_000n, { kind: "credit_grant" })]);
    expect(changed!.status).toBe("exists_with_different_content");
    expect((await getAccountBalance(database.db, { accountId: chart.grant })).posted).toBe(10_000_000n);
    await expectLedgerConsistent(database.db);
  });

  it("rejects bad input item by item with a code and writes nothing for it", async () => {
    const before = await counts();
    const usd = (accountId: string, direction: "debit" | "credit", amount: bigint) => ({ accountId, direction, amount, currency: "usd" });
    const base = { kind: "adjustment" as const, actor: testActor };
    const results = await post([
      { ...base, idempotencyKey: "bad-unbalanced", entries: [usd(chart.cash, "debit", 5n), usd(chart.revenue, "credit", 4n)] },
      { ...base, idempotencyKey: "bad-empty", entries: [] },
      { ...base, idempotencyKey: "bad-one", entries: [usd(chart.cash, "debit", 5n)] },
      {
        ...base,
        idempotencyKey: "bad-oversized",
        entries: Array.from({ length: ledgerLimits.entriesPerTransactionMax + 2 }, (_, index) => usd(chart.cash, index % 2 ? "credit" : "debit", 1n)),
      },
      { ...base, idempotencyKey: "bad-currency", entries: [usd(chart.cash, "debit", 5n), { ...usd(chart.cashEur, "credit", 5n) }] },
      { ...base, idempotencyKey: "bad-zero", entries: [usd(chart.cash, "debit", 0n), usd(chart.revenue, "credit", 0n)] },
      { ...base, idempotencyKey: "bad-negative", entries: [usd(chart.cash, "debit", -5n), usd(chart.revenue, "credit", -5n)] },
      { ...base, idempotencyKey: "bad-account", entries: [usd(chart.cash, "debit", 5n), usd("00000000-0000-4000-8000-000000000000", "credit", 5n)] },
      { ...base, idempotencyKey: "bad-code", entries: [usd(chart.cash, "debit", 5n), { accountCode: "no:such", direction: "credit", amount: 5n, currency: "usd" }] },
      { ...base, idempotencyKey: "", entries: [usd(chart.cash, "debit", 5n), usd(chart.revenue, "credit", 5n)] },
      { ...base, idempotencyKey: "bad-ccy", entries: [{ ...usd(chart.cash, "debit", 5n), currency: "USD" }, usd(chart.revenue, "credit", 5n)] },
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "unbalanced",
      "entries_empty",
      "entries_too_few",
      "too_many_entries",
      "currency_mismatch",
      "amount_not_positive",
      "amount_not_positive",
      "account_not_found",
      "account_not_found",
      "idempotency_key_invalid",
      "currency_invalid",
    ]);
    expect(await counts()).toEqual(before);
    await expect(postTransactions(database.db, Array.from({ length: 8191 }, () => transfer("x", chart.cash, chart.revenue, 1n)), { clock })).rejects.toMatchObject({
      code: "ledger_batch_too_large",
    });
  });

  it("never lets a non-negative grant go below zero and fails a linked chain as a whole", async () => {
    const grantBefore = await getAccountBalance(database.db, { accountId: chart.grant });
    const results = await post([
      transfer("burn-ok", chart.grant, chart.unbilled, 3_000_000n, { kind: "credit_burn" }),
      transfer("burn-too-much", chart.grant, chart.unbilled, grantBefore.posted, { kind: "credit_burn" }),
      transfer("chain-1", chart.unbilled, chart.revenue, 1_000n, { kind: "usage_accrual", linked: true }),
      transfer("chain-2", chart.grant, chart.unbilled, 1_000n, { kind: "credit_burn", linked: true }),
      { ...transfer("chain-3", chart.cash, chart.revenue, 1_000n), entries: [] },
      transfer("open-1", chart.cash, chart.revenue, 5n, { linked: true }),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "created",
      "insufficient_balance",
      "linked_failed",
      "linked_failed",
      "entries_empty",
      "linked_chain_open",
    ]);
    const grant = await getAccountBalance(database.db, { accountId: chart.grant });
    expect(grant.posted).toBe(grantBefore.posted - 3_000_000n);
    const [chainAgain] = await post([transfer("chain-1", chart.unbilled, chart.revenue, 1_000n, { kind: "usage_accrual" })]);
    expect(chainAgain!.status).toBe("created");
    await expectLedgerConsistent(database.db);
  });

  it("holds reserve, post partly once, void once, and expire", async () => {
    const start = await getAccountBalance(database.db, { accountId: chart.grant });
    const expiresAt = new Date(clock.now().getTime() + 60_000);
    const [hold] = await post([transfer("hold-1", chart.grant, chart.unbilled, 2_000_000n, { kind: "credit_burn", pending: { expiresAt } })]);
    const holdId = (hold as { transactionId: string }).transactionId;
    const held = await getAccountBalance(database.db, { accountId: chart.grant });
    expect(held.posted).toBe(start.posted);
    expect(held.available).toBe(start.available - 2_000_000n);
    const [tooBig] = await post([transfer("hold-big", chart.grant, chart.unbilled, held.available + 1n, { kind: "credit_burn", pending: {} })]);
    expect(tooBig!.status).toBe("insufficient_balance");
    const [partial, twice] = await post([
      { type: "post_pending", idempotencyKey: "hold-1-post", pendingTransactionId: holdId, amount: 500_000n, actor: testActor },
      { type: "void_pending", idempotencyKey: "hold-1-void", pendingTransactionId: holdId, actor: testActor },
    ]);
    expect(partial!.status).toBe("created");
    expect(twice!.status).toBe("pending_transaction_already_posted");
    const after = await getAccountBalance(database.db, { accountId: chart.grant });
    expect(after.posted).toBe(start.posted - 500_000n);
    expect(after.available).toBe(start.available - 500_000n);
    expect(after.pendingDebits).toBe(start.pendingDebits);

    const [hold2] = await post([transfer("hold-2", chart.grant, chart.unbilled, 1_000n, { kind: "credit_burn", pending: { expiresAt } })]);
    const hold2Id = (hold2 as { transactionId: string }).transactionId;
    const later = fixedClock(new Date(expiresAt.getTime() + 1));
    const [lateVoid] = (await postTransactions(database.db, [{ type: "void_pending", idempotencyKey: "hold-2-void", pendingTransactionId: hold2Id, actor: testActor }], { clock: later })).results;
    expect(lateVoid!.status).toBe("pending_transaction_expired");
    expect(await expireHolds(database.db, later)).toMatchObject({ expired: 1 });
    expect(await expireHolds(database.db, later)).toMatchObject({ expired: 0 });
    expect((await getAccountBalance(database.db, { accountId: chart.grant })).available).toBe(after.available);
    await expectLedgerConsistent(database.db);
  });

  it("reverses once; a second reversal returns the first", async () => {
    const [accrual] = await post([transfer("accrue-r", chart.unbilled, chart.revenue, 777n, { kind: "usage_accrual" })]);
    const id = (accrual as { transactionId: string }).transactionId;
    const first = await reverseTransaction(database.db, { transactionId: id, reason: "rated twice", actor: testActor }, { clock });
    const second = await reverseTransaction(database.db, { transactionId: id, reason: "again", actor: testActor }, { clock });
    expect(first.created).toBe(true);
    expect(second).toEqual({ reversalId: first.reversalId, created: false });
    const audit = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from audit_log where action = 'ledger.transaction.reverse'`);
    expect(Number(audit[0]!.count)).toBe(1);
    await expectLedgerConsistent(database.db);
  });

  it("refuses to update or delete entries and posted transactions at the database", async () => {
    const update = await executeRows(database.db, sql`update ledger_entries set amount = amount * 2`).catch((error) => error);
    expect(postgresError(update)?.message).toMatch(/append-only/);
    const remove = await executeRows(database.db, sql`delete from ledger_entries`).catch((error) => error);
    expect(postgresError(remove)?.message).toMatch(/append-only/);
    const changeTransaction = await executeRows(database.db, sql`update ledger_transactions set description = 'x' where status = 'posted'`).catch((error) => error);
    expect(postgresError(changeTransaction)?.message).toMatch(/immutable/);
    const unbalanced = await database.db
      .transaction(async (tx) => {
        await executeRows(
          tx,
          sql`insert into ledger_transactions (id, idempotency_key, content_hash, kind, status, effective_at, posted_at, actor_type, actor_id)
              values ('01900000-0000-7000-8000-000000000001', 'raw', 'x', 'adjustment', 'posted', now(), now(), 'system', 'test')`,
        );
        await executeRows(
          tx,
          sql`insert into ledger_entries (transaction_id, account_id, currency, amount, phase, effective_at)
              values ('01900000-0000-7000-8000-000000000001', ${chart.cash}, 'usd', 5, 'posted', now())`,
        );
      })
      .catch((error) => error);
    expect(postgresError(unbalanced)?.message).toMatch(/at least 2|unbalanced/);
    await expectLedgerConsistent(database.db);
  });

  it("verifyLedger detects a corrupted balance row", async () => {
    await database.db.transaction(async (tx) => {
      await executeRows(tx, sql`set local session_replication_role = replica`);
      await executeRows(tx, sql`update ledger_balances set posted_credits = posted_credits + 1 where account_id = ${chart.grant}`);
    });
    const result = await verifyLedger(database.db);
    expect(result.ok).toBe(false);
    expect(result.differences).toContainEqual(expect.objectContaining({ check: "balance", accountId: chart.grant, field: "posted_credits" }));
  });
});
