import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { migrateDatabase } from "@/db/migrate";
import { fixedClock } from "@/server/clock";
import { issueGrant } from "@/server/grants/issue-grant";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { verifyRollups } from "@/server/metering/verify-rollups";
import { createDatabaseOn, startOwnPostgres, type OwnPostgres } from "@/test/own-postgres";
import { killAndWait, runJobProcess, sleep, type JobRun } from "@/test/processes";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, invoicingActor, usageEvent } from "./test-fixtures";

/*
 * Issue 16, "tests that stay": a period close (`npm run job -- invoicing:close`, as its own
 * process) interrupted twice mid-way — the job SIGKILLed, then PostgreSQL stopped `-m immediate`
 * under it — and run again to the end. Each invoice is created once, each credit burned once
 * (grant accounts never below zero), the ledger and the rollups verify with 0 differences, and
 * no failure stays recorded.
 */

const subscriptionCount = 90;
const anchor = new Date(Date.UTC(2026, 0, 1));
const until = new Date(Date.UTC(2026, 1, 1, 1));
let pg: OwnPostgres;
let databaseUrl: string;

beforeAll(async () => {
  pg = await startOwnPostgres();
  await createDatabaseOn(pg.url(), "tally");
  databaseUrl = pg.url("tally");
  const handle = await openDatabase({ url: databaseUrl, poolMax: 4 });
  try {
    await migrateDatabase(handle);
    const catalog = await createTestCatalog(handle.db);
    const clock = fixedClock(new Date(Date.UTC(2026, 0, 31, 12)));
    const events: Record<string, unknown>[] = [];
    for (let index = 0; index < subscriptionCount; index++) {
      const customer = await createSubscribedCustomer(handle.db, { planVersionId: catalog.planVersionId, anchor });
      for (let day = 0; day < 6; day++) {
        const time = new Date(Date.UTC(2026, 0, 2 + day * 4, index % 24, 10));
        events.push(usageEvent(catalog.eventTypes.tokens, customer.externalId, time, { model: day % 2 === 0 ? "opus" : "haiku", tokens: 200 + index * 7 + day }));
        events.push(usageEvent(catalog.eventTypes.request, customer.externalId, time, {}));
      }
      // Two of three customers hold a credit, so the close burns credits as it goes.
      if (index % 3 !== 0) {
        await issueGrant(handle.db, invoicingActor, fixedClock(anchor), {
          customerId: customer.customerId,
          amountMicros: 3_000_000n + BigInt(index) * 10_000n,
          category: "promotional",
          source: "support",
          idempotencyKey: `crash-grant-${index}`,
        });
      }
    }
    await ingestAndRollUp(handle.db, events, clock);
  } finally {
    await handle.close();
  }
}, 180_000);
afterAll(() => {
  pg?.destroy();
});

async function invoiceCount(handle: DatabaseHandle): Promise<number> {
  const [row] = await executeRows<{ count: string }>(handle.db, sql`select count(*)::text as count from invoices where kind = 'period'`);
  return Number(row?.count ?? 0);
}

/** Starts the close and waits until it has created some invoices but not all (or ended). */
async function startCloseAndWaitMidway(watch: DatabaseHandle, beyond: number): Promise<JobRun> {
  const run = runJobProcess({ databaseUrl, args: ["invoicing:close", "--until", until.toISOString(), "--batch-size", "3"] });
  let ended = false;
  void run.done.then(() => (ended = true));
  const deadlineMs = Date.now() + 60_000;
  while (!ended && Date.now() < deadlineMs) {
    const created = await invoiceCount(watch).catch(() => -1);
    if (created > beyond && created < subscriptionCount) return run;
    await sleep(10);
  }
  return run;
}

describe("a period close interrupted mid-way", () => {
  it("creates each invoice and burns each credit exactly once when run again", async () => {
    const watch = await openDatabase({ url: databaseUrl, poolMax: 1 });
    let firstStop: number;
    try {
      const first = await startCloseAndWaitMidway(watch, 0);
      await killAndWait(first.child, "SIGKILL");
      firstStop = await invoiceCount(watch);
      const second = await startCloseAndWaitMidway(watch, firstStop);
      pg.stop("immediate");
      const secondOutcome = await second.done;
      expect(secondOutcome.signal).toBeNull(); // the job ends by itself (with an error), it does not hang or crash
      pg.start();
    } finally {
      await watch.close().catch(() => undefined);
    }
    const last = await runJobProcess({ databaseUrl, args: ["invoicing:close", "--until", until.toISOString(), "--batch-size", "3"] }).done;
    expect(last.code, last.stderr.slice(-2_000)).toBe(0);

    const check = await openDatabase({ url: databaseUrl, poolMax: 2 });
    try {
      expect(firstStop).toBeGreaterThan(0);
      expect(firstStop).toBeLessThan(subscriptionCount);
      const [invoices] = await executeRows<{ invoices: string; subscriptions: string; doubled: string }>(
        check.db,
        sql`select count(*)::text as invoices, count(distinct subscription_id)::text as subscriptions,
                   (select count(*) from (select subscription_id from invoices where kind = 'period'
                                          group by subscription_id, period_start having count(*) > 1) d)::text as doubled
            from invoices where kind = 'period'`,
      );
      expect(invoices).toEqual({ invoices: String(subscriptionCount), subscriptions: String(subscriptionCount), doubled: "0" });
      // One burn per idempotency key, each posted by exactly one credit_burn transaction.
      const [burns] = await executeRows<{ burns: string; keys: string; posted: string; credit_transactions: string }>(
        check.db,
        sql`select count(*)::text as burns, count(distinct idempotency_key)::text as keys,
                   count(distinct ledger_transaction_id)::text as posted,
                   (select count(*) from ledger_transactions where kind = 'credit_burn')::text as credit_transactions
            from credit_burns where covered_micros > 0`,
      );
      expect(Number(burns?.burns)).toBeGreaterThan(0);
      expect(burns?.keys).toBe(burns?.burns);
      expect(burns?.posted).toBe(burns?.burns);
      expect(burns?.credit_transactions).toBe(burns?.burns);
      // Grant accounts (liabilities, credit side) never below zero: their signed entries never sum above zero.
      const [negative] = await executeRows<{ count: string }>(
        check.db,
        sql`select count(*)::text as count from ledger_accounts a
            where a.non_negative and (select coalesce(sum(e.amount), 0) from ledger_entries e where e.account_id = a.id and e.phase = 'posted') > 0`,
      );
      expect(negative?.count).toBe("0");
      expect((await verifyLedger(check.db)).differenceCount).toBe(0);
      const rollups = await verifyRollups(check.db, { from: anchor, to: until });
      expect([rollups.differences, rollups.uniqueValueDifferences]).toEqual([0, 0]);
      const [open] = await executeRows<{ count: string }>(check.db, sql`select count(*)::text as count from job_item_failures where resolved_at is null`);
      expect(open?.count).toBe("0");
    } finally {
      await check.close();
    }
  }, 300_000);
});
