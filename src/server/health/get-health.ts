import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { getMigrationStatus, type MigrationStatus } from "@/db/migrate";

export type Health = {
  ok: boolean;
  database: { reachable: boolean; driver: DatabaseHandle["driver"]; latencyMs: number | null; error: string | null };
  migrations: MigrationStatus | null;
};

/** The longest /api/health waits for the database before answering that it is unreachable. */
export const healthTimeoutMs = 800;

/**
 * Healthy means: the database answers, and every committed migration has been applied. Answers
 * within healthTimeoutMs whatever the database does (down, restarting, or its pool busy).
 */
export async function getHealth(handle: DatabaseHandle, options: { timeoutMs?: number } = {}): Promise<Health> {
  const startedMs = performance.now();
  const timeoutMs = options.timeoutMs ?? healthTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const migrations = await Promise.race([
      (async () => {
        await executeRows(handle.db, sql`select 1 as one`);
        return getMigrationStatus(handle);
      })(),
      timeout,
    ]);
    const latencyMs = Math.round(performance.now() - startedMs);
    return { ok: migrations.current, database: { reachable: true, driver: handle.driver, latencyMs, error: null }, migrations };
  } catch (error) {
    return {
      ok: false,
      database: { reachable: false, driver: handle.driver, latencyMs: null, error: error instanceof Error ? error.message : String(error) },
      migrations: null,
    };
  } finally {
    clearTimeout(timer);
  }
}
