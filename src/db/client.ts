import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
/** A database or a transaction: domain functions accept either and work on both drivers. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Db;
  driver: "postgres" | "pglite";
  close: () => Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A postgres:// URL; without one, embedded PGlite under `dataDir`. */
  url?: string;
  dataDir?: string;
  /** Connection pool size for the postgres driver. */
  poolMax?: number;
};

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      connection: { TimeZone: "UTC" },
    });
    const db = drizzle(client, { schema }) as unknown as Db;
    return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dataDir = options.dataDir ?? "memory://";
  let client: InstanceType<typeof PGlite>;
  if (dataDir.startsWith("memory://")) {
    client = new PGlite(dataDir);
  } else {
    const directory = path.resolve(/* turbopackIgnore: true */ dataDir);
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    client = new PGlite(directory);
  }
  await client.waitReady;
  await client.exec("SET TIME ZONE 'UTC'");
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}

const globalKey = Symbol.for("tally.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<DatabaseHandle> };

/**
 * The process-wide database: one pool (or one PGlite instance) shared by every module
 * instance Next.js creates, so PGlite's data directory is never opened twice.
 */
export function getDatabase(): Promise<DatabaseHandle> {
  const holder = globalThis as GlobalWithDb;
  if (!holder[globalKey]) {
    holder[globalKey] = (async () => {
      const { env } = await import("@/env");
      return openDatabase({
        url: env.DATABASE_URL,
        dataDir: path.join(env.TALLY_DATA_DIR, "pglite"),
      });
    })();
  }
  return holder[globalKey];
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
