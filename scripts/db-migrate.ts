import { getDatabase } from "@/db/client";
import { getMigrationStatus, migrateDatabase } from "@/db/migrate";

const handle = await getDatabase();
try {
  await migrateDatabase(handle);
  const status = await getMigrationStatus(handle);
  console.log(`migrations: ${status.applied} of ${status.expected} applied (${handle.driver})`);
} finally {
  await handle.close();
}
