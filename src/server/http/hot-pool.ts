import { getDb, type Db } from "@/db/client";
import { isStatementTimeout } from "@/db/errors";

/**
 * Runs `work` on the hot-read pool; when its short statement timeout cuts a statement (a slow
 * moment, a lock behind a close), the same work runs once more on the main pool, so a check is
 * answered late rather than refused.
 */
export async function onHotPool<T>(hotReads: Db, work: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await work(hotReads);
  } catch (error) {
    if (!isStatementTimeout(error)) throw error;
    return work(await getDb());
  }
}
