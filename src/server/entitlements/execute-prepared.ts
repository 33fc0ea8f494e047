import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";

const dialect = new PgDialect();

/**
 * Runs raw SQL as a prepared statement and returns its rows on either driver.
 *
 * `db.execute(sql)` goes out unnamed (drizzle passes `prepare: false` to postgres-js), which
 * for a statement with parameters costs two round trips — Parse/Describe, wait, then
 * Bind/Execute — and a parse and plan in PostgreSQL every time. Prepared, postgres-js keeps the
 * statement per connection (keyed by its text and parameter types), so after the first use
 * a check is one Bind/Execute: one write, one round trip, no parse, and after five executions
 * PostgreSQL may reuse a generic plan. Only for statements whose text takes a handful of
 * shapes (values always as parameters), or each connection would keep an ever-growing set.
 * PGlite ignores the name and runs the statement as usual.
 */
export async function executePreparedRows<Row extends Record<string, unknown>>(db: Db, query: SQL): Promise<Row[]> {
  const built = dialect.sqlToQuery(query);
  const prepared = db._.session.prepareQuery(built, undefined, "entitlements", false);
  const result = (await prepared.execute()) as unknown;
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
