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
  /**
   * The handle for entitlement checks (getDatabaseForHotReads): on postgres a small pool of its
   * own, opened on first use, whose sessions run `plan_cache_mode = force_generic_plan`.
   * Absent on PGlite (and on handles built elsewhere): use `db`.
   */
  hotReads?: () => Db;
};

/*
 * Bounds on every connection, so a database that is away costs a request milliseconds (and a
 * 503), not the driver's defaults of a 30 s connect wait and statements without end:
 * - connect_timeout: a connection attempt gives up after 3 s (a refused port fails at once);
 * - keep_alive: TCP keep-alive probes from 10 s of silence, so a connection to a server that
 *   vanished (no FIN, no RST) is found dead in seconds instead of the kernel's ~15 minutes;
 * - idle_timeout / max_lifetime: idle connections close after 60 s and every connection is
 *   replaced within an hour, so none outlives a failover for long;
 * - backoff: at most 1 s between connection attempts (reconnectDelaySeconds);
 * - statement_timeout (30 s; the hot pool 1 s) and idle_in_transaction_session_timeout (60 s),
 *   set on the session by PostgreSQL itself.
 * Scripts that run long statements (migrations, benchmarks' loaders) pass statementTimeoutMs: 0.
 */
const connectionLimits = { connect_timeout: 3, keep_alive: 10, idle_timeout: 60, max_lifetime: 60 * 30, backoff: reconnectDelaySeconds } as const;

/**
 * How long a connection waits before its next connection attempt after failed ones. postgres-js
 * grows this to 20 s (3^n / 100 s) and makes every query given to that connection wait it out,
 * so after a few failures during an outage each request hung for up to 20 s and the pool took as
 * long to notice the database was back. Here: 50 ms doubling to at most 1 s.
 */
function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** Math.max(0, retries - 1), 1);
}
export const statementTimeoutMsDefault = 30_000;
/** The entitlement check's pool: a check is a few milliseconds; one stuck behind a slow one waits at most this. */
export const hotStatementTimeoutMs = 1_000;

function sessionLimits(statementTimeoutMs: number): Record<string, string> {
  return { statement_timeout: String(statementTimeoutMs), idle_in_transaction_session_timeout: "60000" };
}

export type OpenDatabaseOptions = {
  /** A postgres:// URL; without one, embedded PGlite under `dataDir`. */
  url?: string;
  dataDir?: string;
  /** Connection pool size for the postgres driver. */
  poolMax?: number;
  /** The sessions' statement_timeout (ms; 0 = none). Default 30 s. */
  statementTimeoutMs?: number;
  /** The hot pool's statement_timeout (ms). Default hotStatementTimeoutMs. */
  hotStatementTimeoutMs?: number;
};

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const url = options.url;
  if (url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(url, {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      ...connectionLimits,
      connection: { TimeZone: "UTC", ...sessionLimits(options.statementTimeoutMs ?? statementTimeoutMsDefault) },
    });
    const db = drizzle(client, { schema }) as unknown as Db;
    // The entitlement check's statements are prepared once per connection; with custom plans
    // (plan_cache_mode = auto) PostgreSQL re-plans the usage statement on every execution
    // (~0.4 ms, four times its execution), because the generic plan's estimate counts every
    // usage_events partition that run-time pruning removes anyway. Only these statements go
    // through this pool, so no other query's plan is affected.
    // One connection: postgres-js pipelines the checks in flight on it, so under load one
    // write and one wake-up of the backend carry several of them. Waking a process is most of
    // a check's cost on the 2-core machine (at 1,000 checks/s: 48% of the server's core and
    // 26% of PostgreSQL's with one connection, 57% and 38% with four; maximum 3,100 checks/s
    // against 2,500). The price is head-of-line blocking behind a slow check, which is why
    // reservations (a transaction holding locks) use the main pool.
    let hot: { client: ReturnType<typeof postgres>; db: Db } | undefined;
    const hotReads = (): Db => {
      if (!hot) {
        const hotClient = postgres(url, {
          max: 1,
          onnotice: () => {},
          ...connectionLimits,
          connection: { TimeZone: "UTC", plan_cache_mode: "force_generic_plan", ...sessionLimits(options.hotStatementTimeoutMs ?? hotStatementTimeoutMs) },
        });
        hot = { client: hotClient, db: drizzle(hotClient, { schema }) as unknown as Db };
        primaryPools.set(hot.db, db);
      }
      return hot.db;
    };
    const close = async () => {
      await Promise.all([client.end({ timeout: 5 }), hot?.client.end({ timeout: 5 })]);
    };
    return { db, driver: "postgres", close, hotReads };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  // pg_trgm backs global search's trigram indexes (migration *_customer_summaries_triggers.sql).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const extensions = { pg_trgm };
  const dataDir = options.dataDir ?? "memory://";
  let client: InstanceType<typeof PGlite>;
  if (dataDir.startsWith("memory://")) {
    client = new PGlite(dataDir, { extensions });
  } else {
    const directory = path.resolve(/* turbopackIgnore: true */ dataDir);
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    client = new PGlite(directory, { extensions });
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
        // Read at open time: a script sets it after its imports (which may have validated env already).
        statementTimeoutMs: process.env.TALLY_STATEMENT_TIMEOUT_MS === undefined ? env.TALLY_STATEMENT_TIMEOUT_MS : Number(process.env.TALLY_STATEMENT_TIMEOUT_MS),
      });
    })();
  }
  return holder[globalKey];
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/**
 * The handle for the entitlement check and customer-entitlements routes: a small pool of its
 * own (same database) whose sessions force generic plans for their prepared statements (see
 * `openDatabase`); PGlite, or a handle without one: the normal handle.
 */
/** The main pool behind each hot-read handle (see hotReads). */
const primaryPools = new WeakMap<Db, Db>();

/**
 * The handle for work too slow for the hot pool's one pipelined connection (where every check in
 * flight would wait behind it): the main pool behind a hot-read handle, or `db` itself.
 */
export function primaryPoolOf(db: Db): Db {
  return primaryPools.get(db) ?? db;
}

export async function getDatabaseForHotReads(): Promise<Db> {
  const handle = await getDatabase();
  return handle.hotReads ? handle.hotReads() : handle.db;
}
