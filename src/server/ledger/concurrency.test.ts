import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { fixedClock, systemClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createLedgerPoster } from "./create-ledger-poster";
import { getAccountBalance } from "./get-account-balance";
import { postTransactions } from "./post-transactions";
import { createChart, createTestCustomer, transfer } from "./test-fixtures";
import { expectLedgerConsistent } from "./testing";

let database: TestDatabase;
let chart: Awaited<ReturnType<typeof createChart>>;
const clock = fixedClock("2025-04-01T00:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
  chart = await createChart(database.db, await createTestCustomer(database.db));
});
afterAll(async () => {
  await database.drop();
});

describe("posting under concurrency", () => {
  it("50 concurrent burns never overdraw a grant; exactly the affordable number succeed", async () => {
    await postTransactions(database.db, [transfer("fund-c", chart.promotions, chart.grant, 35n * 1000n, { kind: "credit_grant" })], { clock });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        postTransactions(database.db, [transfer(`burn-c-${index}`, chart.grant, chart.unbilled, 1000n, { kind: "credit_burn" })], { clock }),
      ),
    );
    const statuses = results.map(({ results: [result] }) => result!.status);
    expect(statuses.filter((status) => status === "created")).toHaveLength(35);
    expect(statuses.filter((status) => status === "insufficient_balance")).toHaveLength(15);
    const grant = await getAccountBalance(database.db, { accountId: chart.grant });
    expect(grant.posted).toBe(0n);
    await expectLedgerConsistent(database.db);
  });

  it("the same key posted 20 times concurrently creates one transaction", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => postTransactions(database.db, [transfer("same-key", chart.unbilled, chart.revenue, 42n, { kind: "usage_accrual" })], { clock })),
    );
    const ids = new Set(results.map(({ results: [result] }) => (result as { transactionId: string }).transactionId));
    expect(ids.size).toBe(1);
    expect(results.filter(({ results: [result] }) => result!.status === "created")).toHaveLength(1);
    const rows = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from ledger_transactions where idempotency_key = 'same-key'`);
    expect(Number(rows[0]!.count)).toBe(1);
    await expectLedgerConsistent(database.db);
  });

  it("the poster coalesces concurrent callers and gives each its own result", async () => {
    const poster = createLedgerPoster(database.db, { clock: systemClock, inFlightMax: 2 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) => poster.post(transfer(`poster-${index % 150}`, chart.cash, chart.revenue, BigInt(index % 150) + 1n))),
    );
    const statuses = results.map(([result]) => result!.status);
    expect(statuses.filter((status) => status === "created")).toHaveLength(150);
    expect(statuses.filter((status) => status === "exists")).toHaveLength(50);
    await poster.drain();
    await expectLedgerConsistent(database.db);
  });

  it("a connection killed mid-batch leaves nothing behind; the retried batch gives the same final state", async () => {
    const batch = Array.from({ length: 3000 }, (_, index) => transfer(`kill-${index}`, chart.unbilled, chart.revenue, 10n, { kind: "usage_accrual" }));
    const before = await getAccountBalance(database.db, { accountId: chart.revenue });
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    // postgres-js 3.4 may write its queued ROLLBACK to the socket of the connection we kill
    // (connection.js nextWrite on a null socket): a driver race, not a ledger outcome.
    const driverRace = (error: Error) => {
      if (!(error instanceof TypeError && /reading 'write'/.test(error.message))) throw error;
    };
    process.on("uncaughtException", driverRace);
    try {
      await admin`select pg_advisory_lock(4242)`;
      // The batch's transaction blocks on the advisory lock, then is killed before committing.
      const posting = database.db.transaction(async (tx) => {
        await executeRows(tx, sql`select pg_advisory_xact_lock(4242)`);
        return postTransactions(tx, batch, { clock });
      });
      const outcome = posting.then(
        () => "committed",
        () => "failed",
      );
      for (let attempt = 0; attempt < 100; attempt++) {
        const waiting = await admin`select pid from pg_stat_activity where datname = ${database.name} and wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
        if (waiting.length > 0) {
          await admin`select pg_terminate_backend(${waiting[0]!.pid as number})`;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await outcome).toBe("failed");
    } finally {
      await admin`select pg_advisory_unlock(4242)`.catch(() => undefined);
      await admin.end({ timeout: 5 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.off("uncaughtException", driverRace);
    }
    const rows = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from ledger_transactions where idempotency_key like 'kill-%'`);
    expect(Number(rows[0]!.count)).toBe(0);
    expect((await getAccountBalance(database.db, { accountId: chart.revenue })).posted).toBe(before.posted);
    const retried = await postTransactions(database.db, batch, { clock });
    expect(retried.results.every((result) => result.status === "created")).toBe(true);
    const again = await postTransactions(database.db, batch, { clock });
    expect(again.results.every((result) => result.status === "exists")).toBe(true);
    expect((await getAccountBalance(database.db, { accountId: chart.revenue })).posted).toBe(before.posted + 30_000n);
    await expectLedgerConsistent(database.db);
  });
});
