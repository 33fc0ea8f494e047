import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { systemClock } from "@/server/clock";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { createLedgerPoster } from "@/server/ledger/create-ledger-poster";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { newTransactionId } from "@/server/ledger/ids";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { TransferInput } from "@/server/ledger/types";
import { verifyLedger } from "@/server/ledger/verify-ledger";
import { createTestDatabase } from "@/test/database";
import { cpuPerUnit, readCpuUsage } from "../cpu-usage";
import { ratio, reportFigures } from "../report";

const actor = systemActor("bench");
const customerCount = 50;
const batchSize = 8190;
const batchedSeconds = 8;
const naiveSeconds = 5;
const hotSeconds = 5;
const hotClients = 20;

type Chart = { grants: string[]; unbilled: string[]; receivable: string[]; revenue: string; promotions: string; cash: string };

/**
 * Ledger posting throughput, batched (one database transaction per 8,190 ledger transactions,
 * set-based) against the naive way (one database transaction per ledger transaction, every account
 * row locked and rewritten), on a fresh database with durable commits.
 */
export async function run(): Promise<void> {
  const database = await createTestDatabase({ poolMax: hotClients + 2, statementTimeoutMs: 0 });
  try {
    const { db } = database;
    await executeRows(db, sql`set synchronous_commit = on`);
    const chart = await createChart(db);
    let sequence = 0;
    const nextKey = (prefix: string) => `${prefix}-${++sequence}`;
    // Fund the grants so burns in the workload are affordable.
    await postTransactions(db, chart.grants.map((grant) => transfer(nextKey("fund"), chart.promotions, grant, 1_000_000_000_000n, "credit_grant")), { clock: systemClock });

    const batched = await measure(batchedSeconds, async () => {
      const items = Array.from({ length: batchSize }, () => workloadItem(chart, nextKey("b")));
      const { results } = await postTransactions(db, items, { clock: systemClock });
      assertAllCreated(results.map((result) => result.status));
      return items.length;
    });
    await settle(db);
    const naive = await measure(naiveSeconds, async () => {
      await postNaive(db, workloadItem(chart, nextKey("n")));
      return 1;
    });
    await settle(db);
    const poster = createLedgerPoster(db, { clock: systemClock, inFlightMax: 2 });
    const hot = await measureConcurrent(hotSeconds, hotClients, async () => {
      const [result] = await poster.post(transfer(nextKey("h"), chart.cash, chart.revenue, 1_000n, "payment"));
      assertAllCreated([result!.status]);
    });
    await poster.drain();
    const hotNaive = await measureConcurrent(hotSeconds, hotClients, () => postNaive(db, transfer(nextKey("hn"), chart.cash, chart.revenue, 1_000n, "payment")));
    const verify = await verifyLedger(db);
    reportFigures("ledger", {
      batched_tx_per_s: { value: Math.round(batched), unit: "tx/s" },
      naive_tx_per_s: { value: Math.round(naive), unit: "tx/s" },
      batched_to_naive: { value: ratio(batched, naive), unit: "x" },
      hot_tx_per_s: { value: Math.round(hot), unit: "tx/s" },
      hot_naive_tx_per_s: { value: Math.round(hotNaive), unit: "tx/s" },
      verify_differences: { value: verify.differenceCount, unit: "differences" },
    });
    if (process.env.BENCH_LEDGER_PROFILE === "1") await profileBatched(db, chart, nextKey);
  } finally {
    await database.drop();
  }
}

/**
 * What bounds the batched figure (`BENCH_LEDGER_PROFILE=1`, after the figures above, on the same
 * database, which is dropped afterwards): the batched phase again with the CPU it costs per ledger
 * transaction in PostgreSQL (this database's backends only) and in this process (from /proc), then taken apart step by step, each
 * measured side by side in this run: without the ledger's invariant triggers (balanced per
 * statement, entry references, closed periods), then also without the secondary indexes (the
 * unique ones the posting relies on stay). One commit's flush per 8,190 transactions is not worth measuring.
 */
async function profileBatched(db: Db, chart: Chart, nextKey: (prefix: string) => string): Promise<void> {
  const batch = async () => {
    const items = Array.from({ length: batchSize }, () => workloadItem(chart, nextKey("p")));
    const { results } = await postTransactions(db, items, { clock: systemClock });
    assertAllCreated(results.map((result) => result.status));
    return items.length;
  };
  const buildStartedMs = performance.now();
  for (let round = 0; round < 10; round++) Array.from({ length: batchSize }, () => workloadItem(chart, nextKey("x")));
  const buildUsPerTx = ((performance.now() - buildStartedMs) * 1000) / (10 * batchSize);
  const [{ name: database } = { name: "" }] = await executeRows<{ name: string }>(db, sql`select current_database() as name`);
  const phase = async () => {
    await settle(db);
    const cpuBefore = readCpuUsage(undefined, { database });
    const startedMs = performance.now();
    let done = 0;
    const rate = await measure(batchedSeconds, async () => {
      const count = await batch();
      done += count;
      return count;
    });
    const cpu = cpuPerUnit(cpuBefore, readCpuUsage(undefined, { database }), done);
    return { rate, wallUsPerTx: ((performance.now() - startedMs) * 1000) / done, postgresUs: cpu?.postgresUs ?? 0, clientUs: cpu?.clientUs ?? 0 };
  };
  const full = await phase();
  await executeRows(
    db,
    sql`alter table ledger_transactions disable trigger ledger_transactions_balanced_per_statement, disable trigger ledger_transactions_closed_period`,
  );
  await executeRows(db, sql`alter table ledger_entries disable trigger ledger_entries_references, disable trigger ledger_entries_closed_period`);
  const noTriggers = await phase();
  const secondary = await executeRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid in ('ledger_transactions'::regclass, 'ledger_entries'::regclass, 'ledger_balance_deltas'::regclass) and not i.indisprimary and not i.indisunique`,
  );
  for (const { name } of secondary) await executeRows(db, sql.raw(`drop index "${name.replace(/"/g, "")}"`));
  const noIndexes = await phase();
  const round1 = (value: number) => Math.round(value * 10) / 10;
  reportFigures("ledger-profile", {
    profile_batched_tx_per_s: { value: Math.round(full.rate), unit: "tx/s" },
    profile_wall_us_per_tx: { value: round1(full.wallUsPerTx), unit: "us" },
    profile_postgres_cpu_us_per_tx: { value: round1(full.postgresUs), unit: "us" },
    profile_client_cpu_us_per_tx: { value: round1(full.clientUs), unit: "us" },
    profile_client_build_us_per_tx: { value: round1(buildUsPerTx), unit: "us" },
    profile_no_triggers_tx_per_s: { value: Math.round(noTriggers.rate), unit: "tx/s" },
    profile_no_triggers_postgres_cpu_us_per_tx: { value: round1(noTriggers.postgresUs), unit: "us" },
    profile_no_secondary_indexes_tx_per_s: { value: Math.round(noIndexes.rate), unit: "tx/s" },
    profile_no_secondary_indexes_postgres_cpu_us_per_tx: { value: round1(noIndexes.postgresUs), unit: "us" },
    profile_secondary_indexes_dropped: { value: secondary.length, unit: "indexes" },
  });
}

/**
 * Each phase starts from a settled database: the batched phase leaves hundreds of thousands of
 * fresh rows whose autovacuum would otherwise land inside the next phase's measurement.
 */
async function settle(db: Db): Promise<void> {
  await executeRows(db, sql`vacuum analyze ledger_transactions, ledger_entries, ledger_balance_deltas, ledger_balances`);
}

async function createChart(db: Db): Promise<Chart> {
  const customerIds = (
    await db
      .insert(customers)
      .values(Array.from({ length: customerCount }, (_, index) => ({ externalId: `bench-${index}`, name: `Bench ${index}`, email: `bench${index}@example.com`, kind: "team" as const })))
      .returning({ id: customers.id })
  ).map((row) => row.id);
  const platform = await ensureAccounts(db, [
    { code: ledgerAccountCodes.revenueUsage("api"), kind: "revenue", currency: "usd" },
    { code: ledgerAccountCodes.expensePromotions(), kind: "expense", currency: "usd" },
    { code: ledgerAccountCodes.cashStripe(), kind: "asset", currency: "usd" },
  ]);
  const perCustomer = await ensureAccounts(
    db,
    customerIds.flatMap((customerId) => [
      { code: ledgerAccountCodes.customerGrant(customerId, "bench"), kind: "liability" as const, currency: "usd", customerId, nonNegative: true },
      { code: ledgerAccountCodes.customerUnbilled(customerId), kind: "asset" as const, currency: "usd", customerId },
      { code: ledgerAccountCodes.customerReceivable(customerId), kind: "asset" as const, currency: "usd", customerId },
    ]),
  );
  const column = (offset: number) => perCustomer.filter((_, index) => index % 3 === offset).map((account) => account.id);
  return { grants: column(0), unbilled: column(1), receivable: column(2), revenue: platform[0]!.id, promotions: platform[1]!.id, cash: platform[2]!.id };
}

/** A realistic mix per customer: accrue usage, burn credits, invoice, collect. */
function workloadItem(chart: Chart, key: string): TransferInput {
  const customer = Math.floor(Math.random() * customerCount);
  const amount = BigInt(1 + Math.floor(Math.random() * 1_000_000));
  switch (Math.floor(Math.random() * 4)) {
    case 0:
      return transfer(key, chart.unbilled[customer]!, chart.revenue, amount, "usage_accrual");
    case 1:
      return transfer(key, chart.grants[customer]!, chart.unbilled[customer]!, amount, "credit_burn");
    case 2:
      return transfer(key, chart.receivable[customer]!, chart.unbilled[customer]!, amount, "invoice");
    default:
      return transfer(key, chart.cash, chart.receivable[customer]!, amount, "payment");
  }
}

function transfer(key: string, debit: string, credit: string, amount: bigint, kind: TransferInput["kind"]): TransferInput {
  return {
    idempotencyKey: key,
    kind,
    actor,
    entries: [
      { accountId: debit, direction: "debit", amount, currency: "usd" },
      { accountId: credit, direction: "credit", amount, currency: "usd" },
    ],
  };
}

/**
 * The naive way: one database transaction per ledger transaction, every account's balance row
 * locked FOR UPDATE and rewritten (the non-negative check done in code and by the row's CHECK).
 */
async function postNaive(db: Db, item: TransferInput): Promise<void> {
  const [debit, credit] = item.entries as [TransferInput["entries"][number], TransferInput["entries"][number]];
  const amount = debit.amount;
  const ids = [debit.accountId!, credit.accountId!].sort();
  const id = newTransactionId();
  const now = new Date().toISOString();
  await db.transaction(async (tx) => {
    await executeRows(tx, sql`select account_id from ledger_balances where account_id in (${ids[0]!}, ${ids[1]!}) order by account_id for update`);
    await executeRows(
      tx,
      sql`insert into ledger_transactions (id, idempotency_key, content_hash, kind, status, effective_at, posted_at, actor_type, actor_id)
          values (${id}, ${item.idempotencyKey}, 'naive', ${item.kind}, 'posted', ${now}::timestamptz, ${now}::timestamptz, 'system', 'bench')`,
    );
    await executeRows(
      tx,
      sql`insert into ledger_entries (transaction_id, account_id, currency, amount, phase, effective_at)
          values (${id}, ${debit.accountId!}, 'usd', ${amount.toString()}::int8, 'posted', ${now}::timestamptz),
                 (${id}, ${credit.accountId!}, 'usd', ${(-amount).toString()}::int8, 'posted', ${now}::timestamptz)`,
    );
    await executeRows(tx, sql`update ledger_balances set posted_debits = posted_debits + ${amount.toString()}::int8 where account_id = ${debit.accountId!}`);
    await executeRows(tx, sql`update ledger_balances set posted_credits = posted_credits + ${amount.toString()}::int8 where account_id = ${credit.accountId!}`);
  });
}

async function measure(seconds: number, step: () => Promise<number>): Promise<number> {
  const startedMs = performance.now();
  const deadlineMs = startedMs + seconds * 1000;
  let done = 0;
  for (let round = 0; round < 1_000_000 && performance.now() < deadlineMs; round++) done += await step();
  return done / ((performance.now() - startedMs) / 1000);
}

async function measureConcurrent(seconds: number, clients: number, step: () => Promise<void>): Promise<number> {
  const startedMs = performance.now();
  const deadlineMs = startedMs + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let round = 0; round < 1_000_000 && performance.now() < deadlineMs; round++) {
        await step();
        done++;
      }
    }),
  );
  return done / ((performance.now() - startedMs) / 1000);
}

function assertAllCreated(statuses: string[]): void {
  const failed = statuses.find((status) => status !== "created");
  if (failed) throw new Error(`bench: a posting failed with ${failed}`);
}
