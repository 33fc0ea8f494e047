/*
 * postgres-js 3.4 (issue #1208, "nextWrite() throws an uncaughtException when a reserved
 * connection's backend dies"): when a connection closes while a small write is queued for the
 * next tick — the ROLLBACK of a transaction whose backend died, most often, when PostgreSQL
 * restarts — its setImmediate callback writes to a socket that is already null and throws a
 * TypeError no caller can catch. The query it belonged to has already been rejected with
 * CONNECTION_CLOSED (and answered 503), so the write is moot; uncaught, it would kill the server.
 *
 * This guard swallows exactly that error (a TypeError reading 'write' of null, thrown from the
 * driver's connection.js) and logs it; any other uncaught exception is printed and ends the
 * process with status 1, as Node would without a listener. Installed once per process by the
 * server's instrumentation and by the scripts.
 */

const installedKey = Symbol.for("tally.driverRaceGuard");

export function isDriverWriteRace(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /Cannot read properties of null \(reading 'write'\)/.test(error.message) &&
    /postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(error.stack ?? "")
  );
}

export function installDriverRaceGuard(log: (message: string, error: unknown) => void = (message, error) => console.warn(message, error)): void {
  const holder = globalThis as Record<symbol, unknown>;
  if (holder[installedKey]) return;
  holder[installedKey] = true;
  process.on("uncaughtException", (error, origin) => {
    if (isDriverWriteRace(error)) {
      log("postgres-js wrote to a closed connection (issue #1208); the query was already rejected, the process goes on", error);
      return;
    }
    console.error(origin === "unhandledRejection" ? "Unhandled rejection" : "Uncaught exception", error);
    process.exit(1);
  });
}
