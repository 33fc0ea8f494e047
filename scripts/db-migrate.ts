import { installDriverRaceGuard } from "@/db/driver-race-guard";
import { getDatabase } from "@/db/client";
import { getMigrationStatus, migrateDatabase } from "@/db/migrate";

// A script may run long statements (a migration on a big table, a close of thousands of subscriptions).
process.env.TALLY_STATEMENT_TIMEOUT_MS ??= "0";
installDriverRaceGuard();

const handle = await getDatabase();
try {
  await migrateDatabase(handle);
  const status = await getMigrationStatus(handle);
  console.log(`migrations: ${status.applied} of ${status.expected} applied (${handle.driver})`);
} finally {
  await handle.close();
}
