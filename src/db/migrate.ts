import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "./client";
import { executeRows } from "./execute";

export const migrationsFolder = path.resolve(process.cwd(), "drizzle");

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === "postgres") {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  }
}

export type MigrationStatus = { applied: number; expected: number; current: boolean };

/** Compares the migrations drizzle has recorded with the ones committed in `drizzle/`. */
export async function getMigrationStatus(handle: DatabaseHandle): Promise<MigrationStatus> {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  const expected = journal.entries.length;
  const exists = await executeRows<{ present: boolean }>(
    handle.db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists[0]?.present) return { applied: 0, expected, current: expected === 0 };
  const rows = await executeRows<{ count: string | number }>(
    handle.db,
    sql`select count(*) as count from drizzle.__drizzle_migrations`,
  );
  const applied = Number(rows[0]?.count ?? 0);
  return { applied, expected, current: applied === expected };
}
