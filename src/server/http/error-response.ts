import { DomainError } from "@/server/errors";
import { apiJson, apiResponseForError } from "./api-exchange";
import { requestIdFor } from "./request-id";
import { toWebResponse } from "./web-exchange";

export type { ErrorBody } from "./api-exchange";

/* Route handlers outside the operation registry (Stripe's webhooks): the same answers as the public API's (api-exchange.ts). */

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return toWebResponse(apiJson(body, status, headers));
}

/** Runs a handler: any thrown error becomes the one JSON error shape, and every answer carries `x-request-id`. */
export async function handleRoute(request: Request, handler: () => Promise<Response>): Promise<Response> {
  const requestId = requestIdFor(request.headers);
  let response: Response;
  try {
    response = await handler();
  } catch (error) {
    response = toWebResponse(apiResponseForError(error, requestId));
  }
  response.headers.set("x-request-id", requestId);
  return response;
}

export { DomainError };
