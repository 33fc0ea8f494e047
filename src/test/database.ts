import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase, migrationsFolder } from "@/db/migrate";

export const testServerUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The template's name changes whenever a migration changes, so a stale template is never used. */
export function templateDatabaseName(): string {
  const hash = crypto.createHash("sha256");
  for (const file of fs.readdirSync(migrationsFolder).sort()) {
    if (file.endsWith(".sql")) hash.update(file).update(fs.readFileSync(path.join(migrationsFolder, file)));
  }
  return `tally_template_${hash.digest("hex").slice(0, 12)}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the migrated template once per migration set; concurrent callers wait on an advisory lock. */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateDatabaseName();
  const admin = postgres(testServerUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`select pg_advisory_lock(7411001)`;
    const existing = await admin`select 1 from pg_database where datname = ${name}`;
    if (existing.length === 0) {
      const building = `${name}_building`;
      await admin.unsafe(`drop database if exists "${building}" with (force)`);
      await admin.unsafe(`create database "${building}"`);
      const handle = await openDatabase({ url: databaseUrl(building), poolMax: 1 });
      try {
        await migrateDatabase(handle);
      } finally {
        await handle.close();
      }
      await admin.unsafe(`alter database "${building}" rename to "${name}"`);
      await admin.unsafe(`alter database "${name}" with is_template true`);
    }
    await admin`select pg_advisory_unlock(7411001)`;
  } finally {
    await admin.end({ timeout: 5 });
  }
  return name;
}

export type TestDatabase = DatabaseHandle & { name: string; url: string; drop: () => Promise<void> };

/** A fresh, migrated database of its own for one test file (copied from the template in ~100 ms). */
/** `statementTimeoutMs: 0` for benchmarks' loaders, whose set-based statements run past the 30 s default. */
export async function createTestDatabase(options: { poolMax?: number; statementTimeoutMs?: number } = {}): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `tally_test_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(testServerUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(name);
  const handle = await openDatabase({ url, poolMax: options.poolMax ?? 10, statementTimeoutMs: options.statementTimeoutMs });
  return {
    ...handle,
    name,
    url,
    drop: async () => {
      await handle.close();
      const cleaner = postgres(testServerUrl, { max: 1, onnotice: () => {} });
      try {
        await cleaner.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleaner.end({ timeout: 5 });
      }
    },
  };
}

/** An in-memory PGlite database with every migration applied: the embedded default, for smoke tests. */
export async function createPgliteTestDatabase(): Promise<DatabaseHandle> {
  const handle = await openDatabase({});
  await migrateDatabase(handle);
  return handle;
}
