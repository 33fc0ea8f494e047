import postgres from "postgres";
import { ensureTemplateDatabase, testServerUrl } from "./database";

/** Builds the migrated template once before the workers start, and sweeps test databases left by killed runs. */
export default async function setup(): Promise<void> {
  const admin = postgres(testServerUrl, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database
      where datname like 'tally_test_%' and not exists (
        select 1 from pg_stat_activity a where a.datname = pg_database.datname)`;
    for (const { datname } of stale.slice(0, 500)) {
      const pid = Number(datname.split("_")[2]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  await ensureTemplateDatabase();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
