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
