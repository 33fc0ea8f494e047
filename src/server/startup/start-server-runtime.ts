import { count } from "drizzle-orm";
import { getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { customers } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { seedDemo, seedSteps } from "@/server/seed/seed-demo";
import { startLocalStripeFromEnv } from "@/server/stripe/start-local-stripe-from-env";
import { workers } from "@/server/workers/registry";
import { runWorkers } from "@/server/workers/run-workers";

const log = (message: string) => console.log(`[tally] ${message}`);

/**
 * Runs once per server process (from instrumentation.ts): migrations in development and on the
 * embedded database, demo data on the embedded database's first start, then the workers.
 */
export async function startServerRuntime(options: { nodeEnv: string; workers: boolean; dataDir: string; appUrl?: string }): Promise<void> {
  const startedMs = Date.now();
  const handle = await getDatabase();
  log(`database: ${handle.driver === "pglite" ? `embedded PGlite under ${options.dataDir}/pglite` : "PostgreSQL from DATABASE_URL"}`);
  if (options.nodeEnv !== "production" || handle.driver === "pglite") {
    log("applying database migrations…");
    await migrateDatabase(handle);
    log("migrations applied");
  }
  if (handle.driver === "pglite") {
    const [row] = await handle.db.select({ total: count() }).from(customers);
    if ((row?.total ?? 0) === 0) {
      // The console answers only once this is done: say so, so the wait is not a mystery.
      log(`first start: loading demo data in ${seedSteps.length} steps (240 customers, a month of usage, invoices); about a minute, once`);
      await seedDemo({ db: handle.db, clock: systemClock, log });
    }
  }
  if (options.nodeEnv !== "production") await startLocalStripeFromEnv({ db: handle.db, clock: systemClock, log });
  if (options.workers && workers.length > 0) {
    runWorkers(workers, { db: handle.db, clock: systemClock, log });
    log(`workers started: ${workers.map((worker) => worker.name).join(", ")}`);
  }
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
  log(`ready in ${seconds} s: open ${options.appUrl ?? "the console"}${options.appUrl ? "/sign-in" : ""} (demo users support@, product@, finance@, admin@tally.test, password tally-demo)`);
}
