import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { isDomainError } from "@/server/errors";

/*
 * One bad item must not stop a batch job: a job runs its items in batches, and when a batch
 * fails it runs that batch's items one by one, so only the bad ones fail. Each failure is
 * returned in the job's result and recorded in `job_item_failures` (open until a later run
 * processes the item), where people and the anomaly queue find it.
 */

export type ItemFailure = { itemKey: string; code: string; message: string };

/** An error as a failure of one item: a DomainError keeps its code; anything else is `internal_error`. */
export function itemFailure(itemKey: string, error: unknown): ItemFailure {
  if (isDomainError(error)) return { itemKey, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { itemKey, code: "internal_error", message: message.slice(0, 2_000) };
}

/**
 * Runs `items` in one call of `run`; if that throws, runs each item alone, so the items that
 * can succeed do. Returns what succeeded and a failure per item that threw on its own.
 */
export async function runIsolated<Item, Result>(
  items: readonly Item[],
  run: (items: readonly Item[]) => Promise<Result[]>,
  keyOf: (item: Item) => string,
): Promise<{ results: Result[]; failures: ItemFailure[]; failedItems: Item[] }> {
  if (items.length === 0) return { results: [], failures: [], failedItems: [] };
  try {
    return { results: await run(items), failures: [], failedItems: [] };
  } catch (error) {
    if (items.length === 1) return { results: [], failures: [itemFailure(keyOf(items[0]!), error)], failedItems: [items[0]!] };
  }
  const results: Result[] = [];
  const failures: ItemFailure[] = [];
  const failedItems: Item[] = [];
  for (const item of items) {
    try {
      results.push(...(await run([item])));
    } catch (error) {
      failures.push(itemFailure(keyOf(item), error));
      failedItems.push(item);
    }
  }
  return { results, failures, failedItems };
}

const recordBatchMax = 1_000;

/**
 * Records this run's failures of `job` (a row per item, its attempts counted; at most 1,000) and
 * resolves the open rows of `processedKeys`, the items this run did process.
 */
export async function recordItemFailures(db: Db, job: string, failures: readonly ItemFailure[], options: { processedKeys?: readonly string[]; now?: Date } = {}): Promise<void> {
  const now = (options.now ?? new Date()).toISOString();
  const recorded = failures.slice(0, recordBatchMax);
  if (recorded.length > 0) {
    await executeRows(
      db,
      sql`insert into job_item_failures as f (job, item_key, code, message, first_failed_at, last_failed_at)
          select ${job}, item_key, code, message, ${now}::timestamptz, ${now}::timestamptz
          from json_to_recordset(${JSON.stringify(recorded.map((failure) => ({ item_key: failure.itemKey, code: failure.code, message: failure.message })))}::json)
            as x(item_key text, code text, message text)
          on conflict (job, item_key) do update set
            code = excluded.code, message = excluded.message, last_failed_at = excluded.last_failed_at,
            attempts = case when f.resolved_at is null then f.attempts + 1 else 1 end,
            first_failed_at = case when f.resolved_at is null then f.first_failed_at else excluded.first_failed_at end,
            resolved_at = null`,
    );
  }
  if (!options.processedKeys || options.processedKeys.length === 0) return;
  // The open failures are few: read them and resolve those this run processed.
  const processed = new Set(options.processedKeys);
  const open = await executeRows<{ item_key: string }>(
    db,
    sql`select item_key from job_item_failures where job = ${job} and resolved_at is null order by item_key limit ${recordBatchMax * 10}`,
  );
  const resolved = open.map((row) => row.item_key).filter((key) => processed.has(key));
  if (resolved.length === 0) return;
  await executeRows(
    db,
    sql`update job_item_failures set resolved_at = ${now}::timestamptz
        where job = ${job} and resolved_at is null and item_key in (select value from json_array_elements_text(${JSON.stringify(resolved)}::json))`,
  );
}

/** The open failures of `job` (or every job), newest first, at most `limit`. */
export async function listOpenItemFailures(db: Db, options: { job?: string; limit?: number } = {}): Promise<
  { job: string; itemKey: string; code: string; message: string; attempts: number; firstFailedAt: Date; lastFailedAt: Date }[]
> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1_000);
  const rows = await executeRows<{ job: string; item_key: string; code: string; message: string; attempts: number; first_failed_at: string | Date; last_failed_at: string | Date }>(
    db,
    sql`select job, item_key, code, message, attempts, first_failed_at, last_failed_at from job_item_failures
        where resolved_at is null ${options.job ? sql`and job = ${options.job}` : sql``}
        order by last_failed_at desc, job, item_key limit ${limit}`,
  );
  return rows.map((row) => ({
    job: row.job,
    itemKey: row.item_key,
    code: row.code,
    message: row.message,
    attempts: Number(row.attempts),
    firstFailedAt: new Date(row.first_failed_at),
    lastFailedAt: new Date(row.last_failed_at),
  }));
}
