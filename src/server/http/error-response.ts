import { DomainError, httpStatusByKind, isDomainError, type DomainErrorKind } from "@/server/errors";

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(kind: DomainErrorKind, code: string, message: string, details?: Record<string, unknown>): Response {
  const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}) } };
  const headers: Record<string, string> = kind === "unauthorized" ? { "www-authenticate": 'Bearer realm="tally"' } : {};
  return jsonResponse(body, httpStatusByKind[kind], headers);
}

/**
 * The one place a route handler's failure becomes an HTTP response: a DomainError keeps its
 * code and status; anything else is logged and answered with a 500 that leaks nothing.
 */
export function responseForError(error: unknown): Response {
  if (isDomainError(error)) return errorResponse(error.kind, error.code, error.message, error.details);
  console.error("Unhandled error in route handler", error);
  return jsonResponse({ error: { code: "internal_error", message: "Something went wrong on our side; retry later." } }, 500);
}

/** Runs a handler and turns any thrown error into a JSON error response. */
export async function handleRoute(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    return responseForError(error);
  }
}

export { DomainError };
