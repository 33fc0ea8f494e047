import { DomainError, type DomainErrorKind } from "@/server/errors";
import { apiError, apiJson, apiResponseForError } from "./api-exchange";
import { toWebResponse } from "./web-exchange";

export type { ErrorBody } from "./api-exchange";

/* Route handlers' answers, built by the same functions as the hot routes' (api-exchange.ts). */

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return toWebResponse(apiJson(body, status, headers));
}

export function errorResponse(kind: DomainErrorKind, code: string, message: string, details?: Record<string, unknown>): Response {
  return toWebResponse(apiError(kind, code, message, details));
}

/** A route handler's failure as a Response (see apiResponseForError). */
export function responseForError(error: unknown): Response {
  return toWebResponse(apiResponseForError(error));
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
