import { fillPlaceholders, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "./client";

const dialect = new PgDialect();

type PreparingClient = { unsafe: (query: string, params: unknown[], options: { prepare: boolean }) => Promise<unknown> };

/**
 * Runs raw SQL as a named prepared statement and returns its rows, on either driver.
 *
 * `db.execute(sql)` goes out unnamed (drizzle passes `prepare: false` to postgres-js), which
 * for a statement with parameters costs an extra round trip to describe it and a parse and
 * plan in PostgreSQL every time. Prepared, postgres-js keeps the statement per connection
 * (keyed by its text), so after the first use a call is one Bind/Execute: one write, one round
 * trip, no parse, and PostgreSQL may reuse a generic plan. On the postgres-js pool the
 * statement goes straight to the driver (the hot paths: the entitlement check and event
 * ingestion); a transaction or PGlite goes through drizzle's session (PGlite ignores the name).
 * Only for statements whose text takes a handful of shapes (values always as parameters), or
 * each connection would keep an ever-growing set.
 */
export async function executePreparedRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const built = dialect.sqlToQuery(query);
  return runPrepared<Row>(db, built.sql, built.params);
}

async function runPrepared<Row extends Record<string, unknown>>(db: Db, text: string, params: unknown[]): Promise<Row[]> {
  const client = (db as unknown as { $client?: Partial<PreparingClient> }).$client;
  if (typeof client?.unsafe === "function") return (await client.unsafe(text, params, { prepare: true })) as Row[];
  const result = (await db._.session.prepareQuery({ sql: text, params }, undefined, "prepared", false).execute()) as unknown;
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

type CompiledStatement = { sql: string; params: unknown[] };

/** Per shape key; bounded by construction (a handful of shapes per caller), checked anyway. */
const compiledStatements = new Map<string, CompiledStatement>();
const compiledStatementsMax = 1_000;

/**
 * executePreparedRows for a statement on a hot path: `build` runs once per `shapeKey` and must
 * name every value with `sql.placeholder(name)` (constants may stay inline); each call only
 * fills `values` in. Building and rendering a large statement with drizzle costs more CPU and
 * garbage per call than the check it serves (a third of the entitlement check's allocations).
 * `shapeKey` must determine the statement's text completely.
 */
export async function executeCompiledRows<Row extends Record<string, unknown>>(
  db: Db,
  shapeKey: string,
  build: () => SQL,
  values: Record<string, unknown>,
): Promise<Row[]> {
  let compiled = compiledStatements.get(shapeKey);
  if (!compiled) {
    if (compiledStatements.size >= compiledStatementsMax) throw new Error(`executeCompiledRows: more than ${compiledStatementsMax} statement shapes`);
    compiled = dialect.sqlToQuery(build());
    compiledStatements.set(shapeKey, compiled);
  }
  return runPrepared<Row>(db, compiled.sql, fillPlaceholders(compiled.params, values));
}
