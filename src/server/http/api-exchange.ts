import { isDatabaseUnavailableError, isInvalidInputError } from "@/db/errors";
import { DomainError, httpStatusByKind, isDomainError, type DomainErrorKind } from "@/server/errors";
import { logger } from "@/server/observability/logger";

/*
 * The public API's request and response, independent of the server that carries them: the App
 * Router's Request/Response (route handlers) and Node's IncomingMessage/ServerResponse (the hot
 * routes, hot-routes.ts) both adapt to these, so an endpoint is written once and answers the
 * same bytes on either path.
 */

/** Read-only header access: the web `Headers` satisfies it, and Node's headers adapt to it. */
export type HeaderReader = { get(name: string): string | null; has(name: string): boolean };

export type ApiRequest = {
  headers: HeaderReader;
  /** The body as UTF-8 text; 413 `body_too_large` past `maxBytes` (checked before buffering it whole). */
  readBody(options: { maxBytes: number }): Promise<string>;
};

export type ApiResponse = { status: number; headers: Record<string, string>; body: string };

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }, body: JSON.stringify(body) };
}

export function apiError(kind: DomainErrorKind, code: string, message: string, details?: Record<string, unknown>): ApiResponse {
  const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}) } };
  const headers: Record<string, string> =
    kind === "unauthorized" ? { "www-authenticate": 'Bearer realm="tally"' } : kind === "unavailable" || kind === "rate_limited" ? { "retry-after": String(retryAfterSeconds) } : {};
  return apiJson(body, httpStatusByKind[kind], headers);
}

/**
 * The one place an endpoint's failure becomes an answer: a DomainError keeps its code and
 * status; anything else is logged and answered with a 500 that leaks nothing.
 */
export function apiResponseForError(error: unknown): ApiResponse {
  if (isDomainError(error)) return apiError(error.kind, error.code, error.message, error.details);
  if (isDatabaseUnavailableError(error)) {
    logger.warn({ err: error, component: "api" }, "the database is unavailable; answered 503");
    return databaseUnavailable();
  }
  if (isInvalidInputError(error)) {
    logger.warn({ err: error, component: "api" }, "a value the database refused reached it (validate it at the boundary)");
    return apiError("invalid", "invalid_input", "The request holds a value that cannot be stored (e.g. a NUL character or malformed text); correct it and retry.");
  }
  // The line carries the request id the caller got in x-request-id.
  logger.error({ err: error, component: "api" }, "unhandled error in an API endpoint");
  return apiJson({ error: { code: "internal_error", message: "Something went wrong on our side; retry later." } }, 500);
}

/** Seconds a client should wait before retrying a 503 (database away) or 429. */
export const retryAfterSeconds = 2;

/**
 * The answer while the database is away (down, restarting, refusing connections, or too slow to
 * answer within the statement timeout): 503 with Retry-After. Retrying is safe: ingestion stores
 * a batch in one statement, so a batch is stored whole or not at all, and an event whose batch
 * committed just before the connection broke is reported as a duplicate on the retry.
 */
export function databaseUnavailable(): ApiResponse {
  return apiError(
    "unavailable",
    "database_unavailable",
    `The database is unavailable. Retry in ${retryAfterSeconds} seconds; an event stored after all is reported as a duplicate, never counted twice.`,
  );
}

/** Runs an endpoint and turns anything it throws into an error answer. */
export async function runEndpoint(handler: () => Promise<ApiResponse>): Promise<ApiResponse> {
  try {
    return await handler();
  } catch (error) {
    return apiResponseForError(error);
  }
}

export function bodyTooLarge(maxBytes: number): DomainError {
  return new DomainError("too_large", "body_too_large", `The request body is larger than ${maxBytes} bytes; send smaller batches.`, { maxBytes });
}

/**
 * Concatenates body chunks as UTF-8 text, refusing with 413 once they pass `maxBytes`: first on
 * the declared Content-Length, then while reading, so an oversized body is never buffered whole.
 * `cancel` stops the source when we give up early.
 */
export async function collectBody(
  chunks: AsyncIterable<Uint8Array>,
  options: { maxBytes: number; declaredLength: string | null; cancel: () => void },
): Promise<string> {
  const declared = Number(options.declaredLength ?? "NaN");
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    options.cancel();
    throw bodyTooLarge(options.maxBytes);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > options.maxBytes) {
      options.cancel();
      throw bodyTooLarge(options.maxBytes);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, total).toString("utf8");
}
