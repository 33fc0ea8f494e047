import type { SQL } from "drizzle-orm";
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
  const client = (db as unknown as { $client?: Partial<PreparingClient> }).$client;
  if (typeof client?.unsafe === "function") return (await client.unsafe(built.sql, built.params, { prepare: true })) as Row[];
  const result = (await db._.session.prepareQuery(built, undefined, "prepared", false).execute()) as unknown;
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
