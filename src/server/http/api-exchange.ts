import { isDatabaseUnavailableError, isInvalidInputError } from "@/db/errors";
import { DomainError, httpStatusByKind, isDomainError, type DomainErrorKind } from "@/server/errors";
import { logger } from "@/server/observability/logger";
import { requestIdFor } from "./request-id";

/*
 * The public API's request and response, independent of the server that carries them: the App
 * Router's Request/Response (route handlers) and Node's IncomingMessage/ServerResponse (the hot
 * routes, hot-routes.ts) both adapt to these, so an endpoint is written once and answers the
 * same bytes on either path.
 */

/** Read-only header access: the web `Headers` satisfies it, and Node's headers adapt to it. */
export type HeaderReader = { get(name: string): string | null; has(name: string): boolean };

export type ApiRequest = {
  method: string;
  /** The path and query string, e.g. `/api/v1/customers?limit=10`. */
  url: string;
  headers: HeaderReader;
  /** The body as UTF-8 text; 413 `body_too_large` past `maxBytes` (checked before buffering it whole). */
  readBody(options: { maxBytes: number }): Promise<string>;
};

export type ApiResponse = { status: number; headers: Record<string, string>; body: string };

/**
 * The one error shape of `/api/v1`: a stable `code`, a `message` a person can act on, the
 * request parameter at fault (`param`, or null) and the request's id (also the `x-request-id`
 * header). `details` carries structured extras for some codes (limits, scopes).
 */
export type ErrorBody = { error: { code: string; message: string; param: string | null; request_id: string; details?: Record<string, unknown> } };

export function apiJson(body: unknown, status = 200, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }, body: JSON.stringify(body) };
}

export type ApiErrorOptions = { param?: string | null; details?: Record<string, unknown>; requestId: string; headers?: Record<string, string> };

export function apiError(status: number, code: string, message: string, options: ApiErrorOptions): ApiResponse {
  const body: ErrorBody = { error: { code, message, param: options.param ?? null, request_id: options.requestId, ...(options.details ? { details: options.details } : {}) } };
  const headers: Record<string, string> = {
    ...(status === 401 ? { "www-authenticate": 'Bearer realm="tally"' } : {}),
    ...(status === 503 || status === 429 ? { "retry-after": String(retryAfterSeconds) } : {}),
    ...options.headers,
  };
  return apiJson(body, status, headers);
}

export function apiErrorOfKind(kind: DomainErrorKind, code: string, message: string, options: ApiErrorOptions): ApiResponse {
  return apiError(httpStatusByKind[kind], code, message, options);
}

/**
 * The one place an endpoint's failure becomes an answer: a DomainError keeps its code, param and
 * status; anything else is logged and answered with a 500 that leaks nothing.
 */
export function apiResponseForError(error: unknown, requestId: string): ApiResponse {
  if (isDomainError(error)) {
    const headers = typeof error.details?.retryAfterSeconds === "number" ? { "retry-after": String(error.details.retryAfterSeconds) } : undefined;
    return apiErrorOfKind(error.kind, error.code, error.message, { param: error.param ?? null, details: error.details, requestId, headers });
  }
  if (isDatabaseUnavailableError(error)) {
    logger.warn({ err: error, component: "api", requestId }, "the database is unavailable; answered 503");
    return databaseUnavailable(requestId);
  }
  if (isInvalidInputError(error)) {
    logger.warn({ err: error, component: "api", requestId }, "a value the database refused reached it (validate it at the boundary)");
    return apiError(400, "invalid_input", "The request holds a value that cannot be stored (e.g. a NUL character or malformed text); correct it and retry.", { requestId });
  }
  // The line carries the request id the caller got in x-request-id.
  logger.error({ err: error, component: "api", requestId }, "unhandled error in an API endpoint");
  return apiError(500, "internal_error", "Something went wrong on our side; retry later with the same Idempotency-Key.", { requestId });
}

/** Seconds a client should wait before retrying a 503 (database away) or 429. */
export const retryAfterSeconds = 2;

/**
 * The answer while the database is away (down, restarting, refusing connections, or too slow to
 * answer within the statement timeout): 503 with Retry-After. Retrying is safe: ingestion stores
 * a batch in one statement, so a batch is stored whole or not at all, and an event whose batch
 * committed just before the connection broke is reported as a duplicate on the retry.
 */
export function databaseUnavailable(requestId: string): ApiResponse {
  return apiError(503, "database_unavailable", `The database is unavailable. Retry in ${retryAfterSeconds} seconds; an event stored after all is reported as a duplicate, never counted twice.`, { requestId });
}

/**
 * Runs an endpoint: gives the request its id, turns anything the handler throws into an error
 * answer, and returns the id as `x-request-id` on every answer.
 */
export async function runEndpoint(request: Pick<ApiRequest, "headers">, handler: (requestId: string) => Promise<ApiResponse>): Promise<ApiResponse> {
  const requestId = requestIdFor(request.headers);
  let response: ApiResponse;
  try {
    response = await handler(requestId);
  } catch (error) {
    response = apiResponseForError(error, requestId);
  }
  response.headers["x-request-id"] = requestId;
  return response;
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
