import { installDriverRaceGuard } from "@/db/driver-race-guard";
import { getDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { systemClock } from "@/server/clock";
import { seedDemo } from "@/server/seed/seed-demo";

// A script may run long statements (a migration on a big table, a close of thousands of subscriptions).
process.env.TALLY_STATEMENT_TIMEOUT_MS ??= "0";
installDriverRaceGuard();

/** Idempotent: run it any number of times. Migrates first so a fresh database works. */
const handle = await getDatabase();
try {
  await migrateDatabase(handle);
  await seedDemo({ db: handle.db, clock: systemClock, log: (message) => console.log(message) });
} finally {
  await handle.close();
}
