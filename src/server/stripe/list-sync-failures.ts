import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { stripeSyncFailures, type StripeSyncFailureRow } from "@/db/schema";

export const syncFailuresPageMax = 100;

/** The newest outbound writes Stripe refused for good. */
export async function listSyncFailures(db: Db, limit = 50): Promise<StripeSyncFailureRow[]> {
  return db
    .select()
    .from(stripeSyncFailures)
    .orderBy(desc(stripeSyncFailures.occurredAt))
    .limit(Math.min(Math.max(limit, 1), syncFailuresPageMax));
}
