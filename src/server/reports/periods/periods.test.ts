import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { postgresError } from "@/db/errors";
import { fixedClock } from "@/server/clock";
import { createLedgerPoster } from "@/server/ledger/create-ledger-poster";
import { postTransactions } from "@/server/ledger/post-transactions";
import { createChart, createTestCustomer, testActor, transfer } from "@/server/ledger/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { closeAccountingPeriod } from "./close-accounting-period";
import { getClosedThrough } from "./list-accounting-periods";
import { reopenAccountingPeriod } from "./reopen-accounting-period";

let database: TestDatabase;
let chart: Awaited<ReturnType<typeof createChart>>;
const clock = fixedClock("2026-03-05T12:00:00Z");
const finance = { type: "user" as const, id: "u-finance", label: "finance@tally.test" };
const admin = { type: "user" as const, id: "u-admin", label: "admin@tally.test" };
const at = (iso: string) => new Date(iso);

async function transactionRow(id: string) {
  const [row] = await executeRows<{ effective_at: string; metadata: Record<string, string> }>(
    database.db,
    sql`select to_char(effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as effective_at, metadata from ledger_transactions where id = ${id}`,
  );
  return row!;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const customerId = await createTestCustomer(database.db);
  chart = await createChart(database.db, customerId);
  const { results } = await postTransactions(
    database.db,
    [
      transfer("jan-usage", chart.unbilled, chart.revenue, 3_000_000n, { kind: "usage_accrual", effectiveAt: at("2026-01-10T00:00:00Z") }),
      transfer("jan-invoice", chart.receivable, chart.unbilled, 3_000_000n, { kind: "invoice", effectiveAt: at("2026-01-31T23:59:59.999Z") }),
      transfer("feb-usage", chart.unbilled, chart.revenue, 2_000_000n, { kind: "usage_accrual", effectiveAt: at("2026-02-14T00:00:00Z") }),
    ],
    { clock },
  );
  expect(results.every((result) => result.status === "created")).toBe(true);
});
afterAll(async () => {
  await database.drop();
});

describe("closing a month", () => {
  it("refuses a month that has not ended, and months out of order", async () => {
    await expect(closeAccountingPeriod(database.db, { month: "2026-03", actor: finance }, { clock })).rejects.toMatchObject({ code: "period_not_ended" });
    await expect(closeAccountingPeriod(database.db, { month: "2026-02", actor: finance }, { clock })).rejects.toMatchObject({
      code: "earlier_period_open",
      message: expect.stringContaining("Close 2026-01 first"),
    });
    await expect(closeAccountingPeriod(database.db, { month: "2026-13", actor: finance }, { clock })).rejects.toMatchObject({ code: "month_invalid" });
  });

  it("closes January with a balanced trial balance and snapshots equal to the entries", async () => {
    const { period, checks } = await closeAccountingPeriod(database.db, { month: "2026-01", actor: finance }, { clock });
    expect(period.status).toBe("closed");
    expect(period.closedByLabel).toBe("finance@tally.test");
    expect(checks.find((check) => check.code === "trial_balance_balanced")?.ok).toBe(true);
    expect(period.summary.trialBalance).toEqual([{ currency: "usd", debits: "3000000", credits: "3000000" }]);
    expect(await getClosedThrough(database.db)).toEqual(at("2026-02-01T00:00:00Z"));
    const snapshot = await executeRows<{ account_id: string; posted_debits: string; posted_credits: string }>(
      database.db,
      sql`select account_id, posted_debits::text, posted_credits::text from ledger_period_balances where period_start = '2026-01-01T00:00:00Z'`,
    );
    const byAccount = new Map(snapshot.map((row) => [row.account_id, row]));
    expect(byAccount.get(chart.revenue)).toMatchObject({ posted_debits: "0", posted_credits: "3000000" });
    expect(byAccount.get(chart.receivable)).toMatchObject({ posted_debits: "3000000", posted_credits: "0" });
    await expect(closeAccountingPeriod(database.db, { month: "2026-01", actor: finance }, { clock })).rejects.toMatchObject({ code: "period_already_closed" });
  });

  it("the database refuses a ledger row effective in the closed month, whoever writes it", async () => {
    const id = "01900000-0000-7000-8000-000000000001";
    const error = await database.db
      .transaction(async (tx) => {
        await executeRows(
          tx,
          sql`insert into ledger_transactions (id, idempotency_key, content_hash, kind, status, effective_at, posted_at, actor_type, actor_id)
              values (${id}, 'raw-into-january', 'h', 'adjustment', 'posted', '2026-01-20T00:00:00Z', now(), 'system', 'test')`,
        );
      })
      .then(() => null, (caught: unknown) => caught);
    expect(postgresError(error)?.code).toBe("LG002");
    expect(postgresError(error)?.message).toMatch(/accounting period of 2026-01 is closed/);
    const [count] = await executeRows<{ n: number }>(database.db, sql`select count(*)::int as n from ledger_transactions where idempotency_key = 'raw-into-january'`);
    expect(Number(count!.n)).toBe(0);
  });

  it("a posting dated in the closed month lands at the start of the next open period, referencing what it corrects", async () => {
    const { results } = await postTransactions(
      database.db,
      [transfer("late-jan-payment", chart.cash, chart.receivable, 3_000_000n, { kind: "payment", effectiveAt: at("2026-01-28T10:00:00Z") })],
      { clock },
    );
    expect(results[0]!.status).toBe("created");
    const row = await transactionRow((results[0] as { transactionId: string }).transactionId);
    expect(row.effective_at).toBe("2026-02-01T00:00:00Z");
    expect(row.metadata).toMatchObject({ requested_effective_at: "2026-01-28T10:00:00.000Z", corrects_period: "2026-01" });
    // A retry with the same input is the same transaction.
    const again = await postTransactions(
      database.db,
      [transfer("late-jan-payment", chart.cash, chart.receivable, 3_000_000n, { kind: "payment", effectiveAt: at("2026-01-28T10:00:00Z") })],
      { clock },
    );
    expect(again.results[0]).toMatchObject({ status: "exists" });
  });

  it("a reversal of a closed month's transaction, and the batching poster's fast path, land in the open period too", async () => {
    const [janUsage] = await executeRows<{ id: string }>(database.db, sql`select id from ledger_transactions where idempotency_key = 'jan-usage'`);
    const { results } = await postTransactions(
      database.db,
      [{ type: "reverse", idempotencyKey: "reverse-jan-usage", transactionId: janUsage!.id, actor: testActor, effectiveAt: at("2026-01-10T00:00:00Z") }],
      { clock },
    );
    expect(results[0]!.status).toBe("created");
    expect((await transactionRow((results[0] as { transactionId: string }).transactionId)).effective_at).toBe("2026-02-01T00:00:00Z");
    const poster = createLedgerPoster(database.db, { clock });
    const [fast] = await poster.post(transfer("fast-late", chart.unbilled, chart.revenue, 1_000n, { kind: "usage_accrual", effectiveAt: at("2026-01-15T00:00:00Z") }));
    expect(fast!.status).toBe("created");
    expect((await transactionRow((fast as { transactionId: string }).transactionId)).effective_at).toBe("2026-02-01T00:00:00Z");
    await expectLedgerConsistent(database.db);
  });

  it("a close waits for a posting in flight and includes it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    const posting = database.db.transaction(async (tx) => {
      await postTransactions(tx, [transfer("in-flight-feb", chart.unbilled, chart.revenue, 7_000n, { kind: "usage_accrual", effectiveAt: at("2026-02-27T00:00:00Z") })], { clock });
      inserted();
      await held;
    });
    await insertedSignal;
    const closing = closeAccountingPeriod(database.db, { month: "2026-02", actor: finance }, { clock });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await posting;
    const { period } = await closing;
    expect(period.status).toBe("closed");
    const [revenue] = await executeRows<{ credits: string }>(
      database.db,
      sql`select posted_credits::text as credits from ledger_period_balances where period_start = '2026-02-01T00:00:00Z' and account_id = ${chart.revenue}`,
    );
    // 3.0 (Jan) − 3.0 (reversal) + 0.001 (fast path) + 2.0 (Feb) + 0.007 (in flight): the reversal is a debit.
    const [sums] = await executeRows<{ credits: string }>(
      database.db,
      sql`select coalesce(-sum(amount) filter (where amount < 0), 0)::text as credits from ledger_entries where account_id = ${chart.revenue} and effective_at < '2026-03-01T00:00:00Z'`,
    );
    expect(revenue!.credits).toBe(sums!.credits);
    expect(BigInt(revenue!.credits)).toBe(5_008_000n);
  });

  it("reopening needs the latest closed month and a reason, and is audited", async () => {
    await expect(reopenAccountingPeriod(database.db, { month: "2026-01", reason: "late invoice", actor: admin }, { clock })).rejects.toMatchObject({ code: "later_period_closed" });
    await expect(reopenAccountingPeriod(database.db, { month: "2026-02", reason: " ", actor: admin }, { clock })).rejects.toMatchObject({ code: "reopen_reason_required" });
    const period = await reopenAccountingPeriod(database.db, { month: "2026-02", reason: "Stripe payout missed", actor: admin }, { clock });
    expect(period).toMatchObject({ status: "reopened", reopenReason: "Stripe payout missed", reopenedByLabel: "admin@tally.test" });
    expect(await getClosedThrough(database.db)).toEqual(at("2026-02-01T00:00:00Z"));
    const [snapshots] = await executeRows<{ n: number }>(database.db, sql`select count(*)::int as n from ledger_period_balances where period_start = '2026-02-01T00:00:00Z'`);
    expect(Number(snapshots!.n)).toBe(0);
    const audit = await executeRows<{ action: string; reason: string | null }>(
      database.db,
      sql`select action, reason from audit_log where object_type = 'accounting_period' order by id`,
    );
    expect(audit.map((row) => row.action)).toEqual(["accounting_period.close", "accounting_period.close", "accounting_period.reopen"]);
    expect(audit.at(-1)!.reason).toBe("Stripe payout missed");
    // Closing it again counts.
    const again = await closeAccountingPeriod(database.db, { month: "2026-02", actor: finance }, { clock });
    expect(again.period.closeCount).toBe(2);
    await expectLedgerConsistent(database.db);
  });

  it("an open reconciliation discrepancy of the month blocks the close until it is acknowledged", async () => {
    const run = "01900000-0000-7000-8000-0000000000aa";
    await executeRows(
      database.db,
      sql`insert into reconciliation_discrepancies (kind, key, unit, currency, expected, actual, difference, amount_micros, description, period_start, period_end, first_seen_at, last_seen_at, first_run_id, last_run_id)
          values ('stripe_cash', 'test:march-cash', 'micros', 'usd', 100, 90, -10, 10, 'Stripe cash differs from the ledger in March', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', now(), now(), ${run}, ${run})`,
    );
    const later = fixedClock("2026-04-03T00:00:00Z");
    const error = await closeAccountingPeriod(database.db, { month: "2026-03", actor: finance }, { clock: later }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "period_close_checks_failed", message: expect.stringContaining("Stripe cash differs from the ledger in March") });
    expect(await getClosedThrough(database.db)).toEqual(at("2026-03-01T00:00:00Z"));
    const [discrepancy] = await executeRows<{ id: string }>(database.db, sql`select id from reconciliation_discrepancies where key = 'test:march-cash'`);
    await executeRows(
      database.db,
      sql`insert into anomalies (kind, status, severity, subject, window_start, window_end, title, first_detected_at, last_detected_at)
          values ('reconciliation', 'acknowledged', 'warning', ${`discrepancy:${discrepancy!.id}`}, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 'Cash differs', now(), now())`,
    );
    const { checks } = await closeAccountingPeriod(database.db, { month: "2026-03", actor: finance }, { clock: later });
    expect(checks.find((check) => check.code === "reconciliation_clean")).toMatchObject({ ok: true, message: expect.stringContaining("each acknowledged") });
  });

  it("ledger:verify finds a snapshot that disagrees with the entries", async () => {
    await executeRows(
      database.db,
      sql`insert into ledger_period_balances (period_start, account_id, currency, posted_debits, posted_credits, period_debits, period_credits)
          values ('2026-02-01T00:00:00Z', ${chart.cashEur}, 'eur', 5, 0, 5, 0)`,
    );
    const result = await verifyLedger(database.db);
    expect(result.differences).toEqual(expect.arrayContaining([expect.objectContaining({ check: "period_snapshot", accountId: chart.cashEur, field: "period_debits", stored: 5n, fromEntries: 0n })]));
  });
});
