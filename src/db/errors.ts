/** The PostgreSQL error underneath drizzle's wrapper, on either driver. */
export type PostgresError = { code?: string; message: string; constraint?: string; constraint_name?: string };

export function postgresError(error: unknown): PostgresError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate as PostgresError;
    current = candidate.cause;
  }
  return undefined;
}

export const postgresErrorCodes = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  restrictViolation: "23001",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
  raiseException: "P0001",
} as const;

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = postgresError(error);
  if (pg?.code !== postgresErrorCodes.uniqueViolation) return false;
  return constraint === undefined || pg.constraint === constraint || pg.constraint_name === constraint;
}

/**
 * Errors PostgreSQL raises for a value it cannot take (class 22 "data exception": a NUL in
 * text, an invalid UUID or number, a value out of range; 54001: nesting too deep). Boundaries
 * validate input first; this is the net for what slips through, so it becomes a 400 with a code
 * rather than a 500 a client would retry forever.
 */
export function isInvalidInputError(error: unknown): boolean {
  const code = postgresError(error)?.code;
  return code !== undefined && (code.startsWith("22") || code === "54001");
}

/** postgres-js's own connection failures (no SQLSTATE) and the socket errors under them. */
const connectionErrorCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Whether `error` means the database is away or overloaded rather than that the request is
 * wrong: a connection that failed or closed, PostgreSQL shutting down or starting up (57P01–03),
 * too many connections (53300), a connection exception (class 08), or a statement cancelled by
 * its timeout (57014). Callers answer 503 with Retry-After; retrying later succeeds.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const candidate = current as { code?: unknown; errno?: unknown; cause?: unknown };
    const code = typeof candidate.code === "string" ? candidate.code : typeof candidate.errno === "string" ? candidate.errno : undefined;
    if (code !== undefined) {
      if (connectionErrorCodes.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300" || code === "57014";
    }
    current = candidate.cause;
  }
  return false;
}

/** A statement PostgreSQL cancelled because it ran past statement_timeout (57014). */
export function isStatementTimeout(error: unknown): boolean {
  return postgresError(error)?.code === "57014";
}
