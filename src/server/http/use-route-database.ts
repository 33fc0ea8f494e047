import type { DatabaseHandle } from "@/db/client";

/** Tests: make getDb() in route handlers return this database (the process-wide handle slot). */
export function useRouteDatabase(handle: DatabaseHandle): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for("tally.database")] = Promise.resolve(handle);
}
