import fs from "node:fs";
import path from "node:path";
import { e2ePort } from "../playwright.config";
import { openDatabase } from "../src/db/client";
import { migrateDatabase } from "../src/db/migrate";
import { systemClock } from "../src/server/clock";
import { seedDemo } from "../src/server/seed/seed-demo";
import { e2eAuthSecret, e2eMetricsToken, e2eStateFile, prepareDatabase, startServer } from "./server";

/**
 * Browser tests run the production build (`next start`) on a fresh PostgreSQL database with
 * the demo seed. `npm test` builds first; run `npm run build` yourself before `npm run test:e2e`.
 */
export default async function globalSetup(): Promise<void> {
  if (!fs.existsSync(path.resolve(process.env.TALLY_NEXT_DIST_DIR ?? ".next", "BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` first (npm test does it for you).");
  }
  fs.mkdirSync("test-results", { recursive: true });
  stopLeftoverServer();
  const serverUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = await prepareDatabase(serverUrl, `tally_e2e_${e2ePort}`);
  const handle = await openDatabase({ url: databaseUrl, poolMax: 2 });
  try {
    await migrateDatabase(handle);
    await seedDemo({ db: handle.db, clock: systemClock, log: () => {} });
  } finally {
    await handle.close();
  }
  const pid = await startServer({
    port: e2ePort,
    env: {
      DATABASE_URL: databaseUrl,
      TALLY_DEMO_LOGIN: "true",
      NEXTAUTH_URL: `http://localhost:${e2ePort}`,
      NEXTAUTH_SECRET: e2eAuthSecret,
      TALLY_METRICS_TOKEN: e2eMetricsToken,
    },
  });
  fs.writeFileSync(e2eStateFile, JSON.stringify({ pid, databaseUrl }));
}

/** A run that was interrupted before its teardown leaves its server up; stop it before starting ours. */
function stopLeftoverServer(): void {
  if (!fs.existsSync(e2eStateFile)) return;
  const { pid } = JSON.parse(fs.readFileSync(e2eStateFile, "utf8")) as { pid: number };
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
  fs.rmSync(e2eStateFile);
}
