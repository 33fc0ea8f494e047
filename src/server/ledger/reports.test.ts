import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { compactBalances } from "./compact-balances";
import { getAccountBalance } from "./get-account-balance";
import { getCustomerLedgerSummary } from "./get-customer-ledger-summary";
import { getTrialBalance } from "./get-trial-balance";
import { listAccountStatement } from "./list-account-statement";
import { postTransactions } from "./post-transactions";
import { streamJournalCsv } from "./stream-journal-csv";
import { streamTrialBalanceCsv } from "./stream-trial-balance-csv";
import { createChart, createTestCustomer, transfer } from "./test-fixtures";
import { expectLedgerConsistent } from "./testing";

let database: TestDatabase;
let chart: Awaited<ReturnType<typeof createChart>>;
let customerId: string;
const clock = fixedClock("2025-02-01T00:00:00Z");
const day = (n: number) => new Date(Date.UTC(2025, 0, n));

beforeAll(async () => {
  database = await createTestDatabase();
  customerId = await createTestCustomer(database.db);
  chart = await createChart(database.db, customerId);
  await postTransactions(
    database.db,
    [
      transfer("r-grant", chart.promotions, chart.grant, 5_000_000n, { kind: "credit_grant", effectiveAt: day(1) }),
      ...Array.from({ length: 12 }, (_, index) =>
        transfer(`r-usage-${index}`, chart.unbilled, chart.revenue, 1_000_000n, { kind: "usage_accrual", effectiveAt: day(2 + index) }),
      ),
      transfer("r-burn", chart.grant, chart.unbilled, 2_000_000n, { kind: "credit_burn", effectiveAt: day(20) }),
      // Text a person typed (a manual adjustment's description) that a spreadsheet would run.
      transfer("=HYPERLINK(\"http://evil.example\")", chart.unbilled, chart.revenue, 1n, {
        description: "=cmd|' /C calc'!A0",
        effectiveAt: day(21),
      }),
    ],
    { clock },
  );
});
afterAll(async () => {
  await database.drop();
});

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe("ledger reports", () => {
  it("balances as of a past time, and a customer summary", async () => {
    expect((await getAccountBalance(database.db, { accountId: chart.revenue, asOf: day(5) })).posted).toBe(4_000_000n);
    expect((await getAccountBalance(database.db, { accountId: chart.revenue })).posted).toBe(12_000_001n);
    const summary = await getCustomerLedgerSummary(database.db, customerId);
    expect(summary.grants).toEqual([expect.objectContaining({ grantId: "g1", balance: expect.objectContaining({ posted: 3_000_000n }) })]);
    expect(summary.unbilled[0]!.posted).toBe(10_000_001n);
  });

  it("pages an account statement with a running balance", async () => {
    const first = await listAccountStatement(database.db, { accountId: chart.revenue, limit: 5 });
    expect(first.lines.map((line) => line.balanceAfter)).toEqual([1n, 2n, 3n, 4n, 5n].map((n) => n * 1_000_000n));
    const second = await listAccountStatement(database.db, { accountId: chart.revenue, limit: 5, cursor: first.nextCursor! });
    expect(second.openingBalance).toBe(5_000_000n);
    expect(second.lines[0]!.balanceAfter).toBe(6_000_000n);
  });

  it("a trial balance sums to zero per currency, and exports stream as CSV", async () => {
    const trial = await getTrialBalance(database.db, { asOf: day(31) });
    for (const total of trial.totals) expect(total.debit).toBe(total.credit);
    expect(trial.totals[0]!.debit).toBeGreaterThan(0n);
    const journal = await text(streamJournalCsv(database.db, { from: day(1), to: day(32), pageSize: 4 }));
    expect(journal.trim().split("\n")).toHaveLength(1 + 15 * 2);
    // Issue 16 #12: formula text is escaped with a leading apostrophe, amounts stay numbers.
    expect(journal).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(journal).toContain(`'=cmd|' /C calc'!A0`);
    expect(journal).not.toMatch(/(^|,)"?[=+@]/m);
    expect(journal).toContain("revenue:usage:api");
    const trialCsv = await text(streamTrialBalanceCsv(database.db, { asOf: day(31) }));
    expect(trialCsv).toMatch(/TOTAL,,usd,(\d+\.\d{6}),\1/);
  });

  it("compaction folds deltas without changing any balance", async () => {
    const before = await getAccountBalance(database.db, { accountId: chart.revenue });
    const result = await compactBalances(database.db);
    expect(result.deltasFolded).toBeGreaterThan(0);
    expect(await getAccountBalance(database.db, { accountId: chart.revenue })).toEqual(before);
    await expectLedgerConsistent(database.db);
  });
});
