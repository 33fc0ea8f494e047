/**
 * Failures a user can cause or meet. `code` is stable (clients and tests match on it);
 * `message` says what to do. `kind` decides the HTTP status / tRPC code in one place
 * (src/server/api/errors.ts and src/server/http/errors.ts).
 */
export type DomainErrorKind =
  | "invalid" // 400 / BAD_REQUEST
  | "unauthorized" // 401
  | "forbidden" // 403
  | "not_found" // 404
  | "conflict" // 409
  | "precondition" // 422 / PRECONDITION_FAILED: a valid request the current state refuses
  | "too_large" // 413
  | "rate_limited" // 429
  | "unavailable"; // 503

export class DomainError extends Error {
  readonly code: string;
  readonly kind: DomainErrorKind;
  readonly details: Record<string, unknown> | undefined;
  /** The request parameter at fault, when there is one (`email`, `metadata.plan`, `limit`): the API's `error.param`. */
  readonly param: string | undefined;

  constructor(kind: DomainErrorKind, code: string, message: string, details?: Record<string, unknown>, options: { param?: string } = {}) {
    super(message);
    this.name = "DomainError";
    this.kind = kind;
    this.code = code;
    this.details = details;
    this.param = options.param;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export const httpStatusByKind: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 422,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};
