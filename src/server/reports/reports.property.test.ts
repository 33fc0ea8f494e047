import crypto from "node:crypto";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { creditGrants, customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { PostTransactionInput } from "@/server/ledger/types";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase } from "@/test/database";
import { readBalancesBefore } from "./balances";
import { microsToDecimal, reportCsv, writeReportXlsx } from "./export/write-report";
import { closeAccountingPeriod } from "./periods/close-accounting-period";
import { runReport } from "./registry";
import type { PayoutRecord } from "@/server/stripe/payout-record";
import { postPayout } from "@/server/stripe/post-payout";
import { upsertStripePayout } from "@/server/stripe/upsert-payout-mirror";
import type { Report } from "./report-model";

const actor = systemActor("reports-property");
const clock = fixedClock("2026-05-10T00:00:00Z");
const start = Date.UTC(2026, 0, 1);
const spanMs = Date.UTC(2026, 4, 1) - start;

type Op = { type: "usage" | "invoice" | "payment" | "refund" | "grant" | "burn" | "expire" | "write_off" | "reverse" | "payout"; customer: number; amount: number; atMinute: number; category: number; expiresDays: number };

const opArbitrary = fc.record({
  type: fc.constantFrom("usage", "invoice", "payment", "refund", "grant", "burn", "expire", "write_off", "reverse", "payout"),
  customer: fc.integer({ min: 0, max: 2 }),
  amount: fc.integer({ min: 1, max: 50_000_000 }),
  atMinute: fc.integer({ min: 0, max: spanMs / 60_000 - 1 }),
  category: fc.integer({ min: 0, max: 2 }),
  expiresDays: fc.integer({ min: 1, max: 200 }),
}) as fc.Arbitrary<Op>;

type Chart = { customers: Array<{ id: string; unbilled: string; receivable: string; grants: string[] }>; revenueUsage: string; revenueSubscription: string; promotions: string; cash: string; badDebt: string; breakage: string };

async function buildChart(db: Db): Promise<Chart> {
  const created = await db
    .insert(customers)
    .values([0, 1, 2].map((index) => ({ externalId: `prop-${index}`, name: `Property ${index}`, email: `p${index}@example.test`, kind: "individual" as const })))
    .returning({ id: customers.id });
  const platform = await ensureAccounts(db, [
    { code: ledgerAccountCodes.revenueUsage("agent"), kind: "revenue", currency: "usd" },
    { code: ledgerAccountCodes.revenueSubscription("pro"), kind: "revenue", currency: "usd" },
    { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency: "usd" },
    { code: ledgerAccountCodes.cashStripe(), kind: "asset", currency: "usd" },
    { code: ledgerAccountCodes.expenseBadDebt(), kind: "expense", currency: "usd" },
    { code: ledgerAccountCodes.revenueBreakage(), kind: "revenue", currency: "usd" },
  ]);
  const chart: Chart = {
    customers: [],
    revenueUsage: platform[0]!.id,
    revenueSubscription: platform[1]!.id,
    promotions: platform[2]!.id,
    cash: platform[3]!.id,
    badDebt: platform[4]!.id,
    breakage: platform[5]!.id,
  };
  for (const { id } of created) {
    const [unbilled, receivable] = await ensureAccounts(db, [
      { code: ledgerAccountCodes.customerUnbilled(id), kind: "asset", currency: "usd", customerId: id },
      { code: ledgerAccountCodes.customerReceivable(id), kind: "asset", currency: "usd", customerId: id },
    ]);
    chart.customers.push({ id, unbilled: unbilled!.id, receivable: receivable!.id, grants: [] });
  }
  return chart;
}

const categories = ["promotional", "goodwill", "paid"] as const;

/** Posts one random operation through the real poster (refusals such as overdrawing a grant are fine). */
async function apply(db: Db, chart: Chart, op: Op, index: number, posted: string[]): Promise<void> {
  const customer = chart.customers[op.customer]!;
  const at = new Date(start + op.atMinute * 60_000);
  const amount = BigInt(op.amount);
  const key = `op-${index}`;
  const pair = (debit: string, credit: string, kind: string, extra: object = {}): PostTransactionInput => ({
    idempotencyKey: key,
    actor,
    kind: kind as "adjustment",
    effectiveAt: at,
    references: { customerId: customer.id },
    entries: [
      { accountId: debit, direction: "debit", amount, currency: "usd" },
      { accountId: credit, direction: "credit", amount, currency: "usd" },
    ],
    ...extra,
  });
  if (op.type === "payout") return applyPayout(db, op, at, index);
  let item: PostTransactionInput;
  switch (op.type) {
    case "usage":
      item = pair(customer.unbilled, chart.revenueUsage, "usage_accrual");
      break;
    case "invoice":
      item = {
        idempotencyKey: key,
        actor,
        kind: "invoice",
        effectiveAt: at,
        references: { customerId: customer.id, invoiceId: `inv-${index}` },
        entries: [
          { accountId: customer.receivable, direction: "debit", amount: amount * 2n, currency: "usd" },
          { accountId: chart.promotions, direction: "debit", amount: amount / 10n + 1n, currency: "usd" },
          { accountId: customer.unbilled, direction: "credit", amount, currency: "usd" },
          { accountId: chart.revenueSubscription, direction: "credit", amount: amount + amount / 10n + 1n, currency: "usd" },
        ],
      };
      break;
    case "payment":
      item = pair(chart.cash, customer.receivable, "payment", { references: { customerId: customer.id, stripeObjectId: `in_${index % 5}` } });
      break;
    case "refund":
      item = pair(customer.receivable, chart.cash, "refund", { references: { customerId: customer.id, stripeObjectId: `re_${index}` } });
      break;
    case "write_off":
      item = pair(chart.badDebt, customer.receivable, "write_off");
      break;
    case "grant": {
      const grantId = crypto.randomUUID();
      const category = categories[op.category]!;
      const [account] = await ensureAccounts(db, [{ code: ledgerAccountCodes.customerGrant(customer.id, grantId), kind: "liability", currency: "usd", customerId: customer.id, nonNegative: true }]);
      await db.insert(creditGrants).values({
        id: grantId,
        customerId: customer.id,
        amountMicros: amount,
        currency: "usd",
        category,
        effectiveAt: at,
        expiresAt: new Date(at.getTime() + op.expiresDays * 86_400_000),
        source: "support",
        idempotencyKey: `grant-${index}`,
        ledgerAccountId: account!.id,
        createdBy: "test",
      });
      customer.grants.push(account!.id);
      item = pair(category === "paid" ? customer.receivable : chart.promotions, account!.id, "credit_grant", { references: { customerId: customer.id, grantId } });
      break;
    }
    case "burn":
    case "expire": {
      const grant = customer.grants[op.category % Math.max(1, customer.grants.length)];
      if (!grant) return;
      item = op.type === "burn" ? pair(grant, customer.unbilled, "credit_burn") : pair(grant, op.category === 2 ? chart.breakage : chart.promotions, "credit_expiry");
      break;
    }
    case "reverse": {
      const target = posted[op.amount % Math.max(1, posted.length)];
      if (!target) return;
      item = { type: "reverse", idempotencyKey: key, transactionId: target, actor, effectiveAt: at };
      break;
    }
  }
  const { results } = await postTransactions(db, [item], { clock });
  const result = results[0]!;
  if (result.status === "created" && item.type !== "reverse") posted.push(result.transactionId);
}

const payoutStatuses = ["paid", "pending", "failed"] as const;

/** A Stripe payout of one charge, mirrored and posted the way the webhook does: paid, pending (nothing posted) or failed (its net comes back). */
async function applyPayout(db: Db, op: Op, at: Date, index: number): Promise<void> {
  const grossMinor = BigInt(op.amount % 2_000_000) + 100n;
  const feeMinor = grossMinor / 40n + 30n;
  const record: PayoutRecord = {
    stripeId: `po_prop_${index}`,
    livemode: false,
    created: at,
    amountMinor: grossMinor - feeMinor,
    currency: "usd",
    status: payoutStatuses[op.category]!,
    arrivalDate: at,
    automatic: true,
    method: "standard",
    failureCode: op.category === 2 ? "account_closed" : null,
    failureMessage: null,
    transactions: [{ stripeId: `txn_prop_${index}`, type: "charge", reportingCategory: "charge", sourceId: `ch_prop_${index}`, amountMinor: grossMinor, feeMinor, netMinor: grossMinor - feeMinor, currency: "usd", status: "available", availableOn: at, created: at }],
  };
  await upsertStripePayout(db, record, { eventCreated: null, now: at });
  await postPayout(db, clock, record, { failedAt: at });
}

/** Every reconciliation line of a report: the report's own figure equals the trial balance's. */
function expectReconciled(report: Report): void {
  for (const line of report.reconciliation) {
    expect({ report: report.key, label: line.label, currency: line.currency, value: line.report }).toEqual({ report: report.key, label: line.label, currency: line.currency, value: line.ledger });
  }
}

/** RFC 4180 records (quoted fields, doubled quotes), enough to read our own exports back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else if (char !== "\r") field += char;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("finance reports over random ledgers", () => {
  it("every report reconciles to the trial balance of the same dates, with and without closed months", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: spanMs / 86_400_000 - 1 }), async (ops, monthsToClose, asOfDay) => {
        const database = await createTestDatabase({ poolMax: 2 });
        try {
          const { db } = database;
          const chart = await buildChart(db);
          const posted: string[] = [];
          for (let index = 0; index < ops.length; index++) await apply(db, chart, ops[index]!, index, posted);
          for (let month = 1; month <= monthsToClose; month++) await closeAccountingPeriod(db, { month: `2026-0${month}`, actor }, { clock });
          // Late postings after the close land in the open period.
          for (let index = 0; index < Math.min(3, ops.length); index++) await apply(db, chart, ops[index]!, 1000 + index, posted);
          await expectLedgerConsistent(db);
          const asOfMs = start + asOfDay * 86_400_000;
          const asOf = day(asOfMs);
          // The snapshot path equals summing every entry.
          const before = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000);
          const fromSnapshots = await readBalancesBefore(db, before);
          const brute = await executeRows<{ account_id: string; debits: string; credits: string }>(
            db,
            sql`select account_id, coalesce(sum(amount) filter (where amount > 0), 0)::text as debits, coalesce(-sum(amount) filter (where amount < 0), 0)::text as credits
                from ledger_entries where phase = 'posted' and effective_at < ${before.toISOString()}::timestamptz group by account_id`,
          );
          const bruteById = new Map(brute.map((row) => [row.account_id, row]));
          for (const account of fromSnapshots) {
            const expected = bruteById.get(account.accountId);
            expect([account.code, account.debits, account.credits]).toEqual([account.code, BigInt(expected?.debits ?? "0"), BigInt(expected?.credits ?? "0")]);
          }
          const month = asOf.slice(0, 7);
          const monthStart = `${month}-01`;
          const reports = [
            await runReport(db, "trial-balance", { asOf }),
            await runReport(db, "revenue", { from: "2026-01", to: month }),
            await runReport(db, "aging", { asOf }),
            await runReport(db, "cash", { from: "2026-01-01", to: asOf }),
            await runReport(db, "cash", { from: monthStart, to: asOf, granularity: "month" }),
            await runReport(db, "cash", { from: "2026-01-01", to: asOf, granularity: "payout" }),
            await runReport(db, "credits", { from: monthStart, to: asOf }),
            await runReport(db, "statement", { customerId: chart.customers[0]!.id, from: "2026-01-15", to: asOf > "2026-01-15" ? asOf : "2026-01-15" }),
          ];
          for (const report of reports) expectReconciled(report);
          const trial = reports[0]!;
          const totals = trial.rows.filter((row) => String(row.cells.account).startsWith("Total"));
          for (const total of totals) expect(total.cells.debit).toBe(total.cells.credit);
        } finally {
          await database.drop();
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  }, 240_000);

  it("a report's CSV and XLSX carry the same numbers (the XLSX read back)", async () => {
    const database = await createTestDatabase({ poolMax: 2 });
    try {
      const { db } = database;
      const chart = await buildChart(db);
      const posted: string[] = [];
      const ops = fc.sample(opArbitrary, { numRuns: 60, seed: 7 });
      for (let index = 0; index < ops.length; index++) await apply(db, chart, ops[index]!, index, posted);
      const payouts = await runReport(db, "cash", { from: "2026-01-01", to: "2026-04-30", granularity: "payout" });
      expect(payouts.rows.filter((row) => !row.subtotal).length).toBeGreaterThan(0);
      for (const report of [await runReport(db, "revenue", { from: "2026-01", to: "2026-04" }), await runReport(db, "trial-balance", { asOf: "2026-04-30", hideZero: false }), payouts]) {
        let csv = "";
        for await (const chunk of reportCsv(report)) csv += String(chunk);
        const csvRows = parseCsv(csv).slice(1);
        const chunks: Buffer[] = [];
        const { PassThrough } = await import("node:stream");
        const out = new PassThrough();
        out.on("data", (chunk: Buffer) => chunks.push(chunk));
        await writeReportXlsx(report, out);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
        const sheet = workbook.worksheets[0]!;
        expect(sheet.rowCount - 1).toBe(csvRows.length);
        expect(csvRows.length).toBe(report.rows.length);
        report.columns.forEach((column, columnIndex) => {
          if (column.type !== "money") return;
          for (let rowIndex = 0; rowIndex < csvRows.length; rowIndex++) {
            const fromCsv = csvRows[rowIndex]![columnIndex + 1]!;
            const cell = sheet.getRow(rowIndex + 2).getCell(columnIndex + 2).value;
            const fromXlsx = typeof cell === "number" ? microsToDecimal(BigInt(Math.round(cell * 1_000_000))) : String(cell);
            expect(fromXlsx).toBe(fromCsv);
            expect(fromCsv).toBe(microsToDecimal(report.rows[rowIndex]!.cells[column.key] as bigint));
          }
        });
      }
    } finally {
      await database.drop();
    }
  }, 60_000);
});
