import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { getMigrationStatus, type MigrationStatus } from "@/db/migrate";

export type Health = {
  ok: boolean;
  database: { reachable: boolean; driver: DatabaseHandle["driver"]; latencyMs: number | null; error: string | null };
  migrations: MigrationStatus | null;
};

/** Healthy means: the database answers, and every committed migration has been applied. */
export async function getHealth(handle: DatabaseHandle): Promise<Health> {
  const startedMs = performance.now();
  try {
    await executeRows(handle.db, sql`select 1 as one`);
    const latencyMs = Math.round(performance.now() - startedMs);
    const migrations = await getMigrationStatus(handle);
    return { ok: migrations.current, database: { reachable: true, driver: handle.driver, latencyMs, error: null }, migrations };
  } catch (error) {
    return {
      ok: false,
      database: { reachable: false, driver: handle.driver, latencyMs: null, error: error instanceof Error ? error.message : String(error) },
      migrations: null,
    };
  }
}
