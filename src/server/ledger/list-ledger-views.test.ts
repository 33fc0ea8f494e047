import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listAccountStatementView, statementSortKeys, type ListStatementViewInput } from "./list-account-statement-view";
import { ledgerAccountSortKeys, listLedgerAccountsView, listLedgerCurrencies, type ListLedgerAccountsViewInput } from "./list-accounts-view";
import { postTransactions } from "./post-transactions";
import { createChart, createTestCustomer, transfer } from "./test-fixtures";

let database: TestDatabase;
let revenue: string;
const day = (n: number) => new Date(Date.UTC(2025, 0, n));

beforeAll(async () => {
  database = await createTestDatabase();
  const charts = [];
  for (let index = 0; index < 6; index++) charts.push(await createChart(database.db, await createTestCustomer(database.db), `g${index}`));
  const chart = charts[0]!;
  revenue = chart.revenue;
  // Usage of every customer to the one revenue account, several entries on the same day (ties on effective_at), amounts repeating (ties on amount).
  await postTransactions(
    database.db,
    [
      ...charts.flatMap((each, customer) =>
        Array.from({ length: 9 }, (_, index) =>
          transfer(`u-${customer}-${index}`, each.unbilled, revenue, BigInt(((index * 7 + customer) % 5) + 1) * 1_000_000n, { kind: "usage_accrual", effectiveAt: day(1 + (index % 4)) }),
        ),
      ),
      transfer("grant", chart.promotions, chart.grant, 3_000_000n, { kind: "credit_grant", effectiveAt: day(2) }),
      transfer("burn", chart.grant, chart.unbilled, 1_000_000n, { kind: "credit_burn", effectiveAt: day(3) }),
      transfer("fix", revenue, chart.unbilled, 2_000_000n, { kind: "adjustment", effectiveAt: day(2) }),
    ],
    { clock: fixedClock("2025-02-01T00:00:00Z") },
  );
});
afterAll(async () => {
  await database.drop();
});

async function pages<Input extends { cursor?: string; limit: number }, Row>(list: (input: Input) => Promise<{ items: Row[]; nextCursor: string | null }>, input: Input): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await list({ ...input, cursor });
    rows.push(...result.items);
    if (!result.nextCursor) return rows;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

function expectInvalidCursor(error: unknown) {
  expect(isDomainError(error) && error.code).toBe("cursor_invalid");
}

describe("listLedgerAccountsView", () => {
  const accounts = (input: Omit<ListLedgerAccountsViewInput, "cursor">) => pages((next) => listLedgerAccountsView(database.db, next), input);

  it("pages every account once in the order of the sort, both directions, any page size", async () => {
    for (const sort of ledgerAccountSortKeys) {
      const column = sort === "code" ? "code" : "created_at";
      for (const direction of ["asc", "desc"] as const) {
        const expected = await executeRows<{ id: string }>(database.db, sql`select id from ledger_accounts order by ${sql.raw(column)} ${sql.raw(direction)}, id ${sql.raw(direction)}`);
        for (const limit of [1, 4, 50]) {
          const got = await accounts({ sort, direction, limit });
          expect(got.map((account) => account.id), `${sort} ${direction} ${limit}`).toEqual(expected.map((row) => row.id));
        }
      }
    }
  });

  it("filters by kind, currency, code prefix and zero balance; balances and names come with each row", async () => {
    const liabilities = await accounts({ kind: "liability", sort: "created", direction: "desc", limit: 2 });
    expect(liabilities.length).toBe(6);
    expect(liabilities.every((account) => account.kind === "liability")).toBe(true);
    expect((await accounts({ currency: "EUR", limit: 5 })).map((account) => account.code)).toEqual(["cash:eur"]);
    const revenueRows = await accounts({ code: "revenue:", limit: 5 });
    expect(revenueRows.map((account) => account.id)).toEqual([revenue]);
    expect(revenueRows[0]!.balance.posted).toBeGreaterThan(0n);
    const nonzero = await accounts({ balance: "nonzero", limit: 3 });
    const zero = await accounts({ balance: "zero", limit: 3 });
    expect(nonzero.every((account) => account.balance.posted !== 0n || account.balance.pending !== 0n)).toBe(true);
    expect(zero.every((account) => account.balance.posted === 0n && account.balance.pending === 0n)).toBe(true);
    expect(zero.map((account) => account.code)).toContain("cash:eur");
    expect(nonzero.length + zero.length).toBe((await accounts({ limit: 50 })).length);
    expect(await listLedgerCurrencies(database.db)).toEqual(["eur", "usd"]);
  });

  it("refuses a cursor made for another sort or direction with cursor_invalid", async () => {
    const first = await listLedgerAccountsView(database.db, { sort: "code", limit: 2 });
    await listLedgerAccountsView(database.db, { sort: "created", cursor: first.nextCursor!, limit: 2 }).then(() => expect.fail("accepted"), expectInvalidCursor);
    await listLedgerAccountsView(database.db, { sort: "code", direction: "desc", cursor: first.nextCursor!, limit: 2 }).then(() => expect.fail("accepted"), expectInvalidCursor);
    await listLedgerAccountsView(database.db, { cursor: "garbage", limit: 2 }).then(() => expect.fail("accepted"), expectInvalidCursor);
  });

  it("exports the view: the same rows in the same order", async () => {
    const response = await exportListResponse(database.db, listExports["ledger-accounts"]!, new URLSearchParams({ kind: "asset", sort: "code", dir: "desc", cursor: "ignored" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Code,Account,Kind,Currency,Posted,Pending,Available,Never below zero,Closed,Created");
    const view = await accounts({ kind: "asset", sort: "code", direction: "desc", limit: 50 });
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(view.map((account) => account.code));
    const refused = await exportListResponse(database.db, listExports["ledger-accounts"]!, new URLSearchParams({ balance: "some" }));
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "balance" } });
  });
});

describe("listAccountStatementView", () => {
  const statement = (input: Omit<ListStatementViewInput, "cursor" | "accountId">) => pages((next) => listAccountStatementView(database.db, { ...next, accountId: revenue }), input);

  it("pages every posted entry once for each sort and direction, with the running balance after each", async () => {
    const all = await executeRows<{ id: string; amount: string }>(
      database.db,
      sql`select e.id::text, e.amount::text from ledger_entries e where account_id = ${revenue}::uuid and phase = 'posted' order by e.effective_at, e.id`,
    );
    let running = 0n;
    const balanceById = new Map(all.map((row) => [row.id, (running -= BigInt(row.amount))]));
    for (const sort of statementSortKeys) {
      const column = sort === "effective" ? "effective_at" : "abs(amount)";
      for (const direction of ["asc", "desc"] as const) {
        const expected = await executeRows<{ id: string }>(
          database.db,
          sql`select e.id::text from ledger_entries e where account_id = ${revenue}::uuid and phase = 'posted' order by ${sql.raw(column)} ${sql.raw(direction)}, e.id ${sql.raw(direction)}`,
        );
        for (const limit of [1, 7, 100]) {
          const got = await statement({ sort, direction, limit });
          expect(got.map((line) => line.entryId), `${sort} ${direction} ${limit}`).toEqual(expected.map((row) => row.id));
          for (const line of got) expect(line.balanceAfter).toBe(balanceById.get(line.entryId));
        }
      }
    }
  });

  it("filters by side and transaction kind; the balance still counts every entry", async () => {
    const debits = await statement({ side: "debit", limit: 3 });
    expect(debits.map((line) => [line.kind, line.direction, line.amount])).toEqual([["adjustment", "debit", 2_000_000n]]);
    const usage = await statement({ kind: "usage_accrual", sort: "amount", direction: "desc", limit: 5 });
    expect(usage.length).toBe(54);
    expect(usage.every((line) => line.kind === "usage_accrual" && line.direction === "credit")).toBe(true);
    const full = new Map((await statement({ limit: 100 })).map((line) => [line.entryId, line.balanceAfter]));
    for (const line of [...debits, ...usage]) expect(line.balanceAfter).toBe(full.get(line.entryId));
  });

  it("refuses a foreign cursor, and answers not found for an unknown account", async () => {
    const first = await listAccountStatementView(database.db, { accountId: revenue, sort: "amount", limit: 2 });
    await listAccountStatementView(database.db, { accountId: revenue, cursor: first.nextCursor!, limit: 2 }).then(() => expect.fail("accepted"), expectInvalidCursor);
    await listAccountStatementView(database.db, { accountId: "00000000-0000-0000-0000-000000000000", limit: 2 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("ledger_account_not_found"),
    );
  });

  it("exports the view of one account", async () => {
    const response = await exportListResponse(database.db, listExports["ledger-statement"]!, new URLSearchParams({ account: revenue, sort: "effective", dir: "desc", side: "credit" }));
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Entry,Effective,Transaction,Kind,Description,Debit,Credit,Balance");
    const view = await statement({ sort: "effective", direction: "desc", side: "credit", limit: 100 });
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(view.map((line) => line.entryId));
    const missing = await exportListResponse(database.db, listExports["ledger-statement"]!, new URLSearchParams({}));
    expect(await missing.json()).toMatchObject({ error: { code: "parameter_invalid", param: "account" } });
  });
});
