import { count } from "drizzle-orm";
import { getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { customers } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { seedDemo } from "@/server/seed/seed-demo";
import { startLocalStripeFromEnv } from "@/server/stripe/start-local-stripe-from-env";
import { workers } from "@/server/workers/registry";
import { runWorkers } from "@/server/workers/run-workers";

const log = (message: string) => console.log(`[tally] ${message}`);

/**
 * Runs once per server process (from instrumentation.ts): migrations in development and on the
 * embedded database, demo data on the embedded database's first start, then the workers.
 */
export async function startServerRuntime(options: { nodeEnv: string; workers: boolean; dataDir: string }): Promise<void> {
  const handle = await getDatabase();
  log(`database: ${handle.driver === "pglite" ? `embedded PGlite under ${options.dataDir}/pglite` : "PostgreSQL from DATABASE_URL"}`);
  if (options.nodeEnv !== "production" || handle.driver === "pglite") {
    await migrateDatabase(handle);
    log("migrations applied");
  }
  if (handle.driver === "pglite") {
    const [row] = await handle.db.select({ total: count() }).from(customers);
    if ((row?.total ?? 0) === 0) {
      log("first start: loading demo data");
      await seedDemo({ db: handle.db, clock: systemClock, log });
    }
  }
  if (options.nodeEnv !== "production") await startLocalStripeFromEnv({ db: handle.db, clock: systemClock, log });
  if (options.workers && workers.length > 0) {
    runWorkers(workers, { db: handle.db, clock: systemClock, log });
    log(`workers started: ${workers.map((worker) => worker.name).join(", ")}`);
  }
}
