import type { ApiRequest, ApiResponse } from "./api-exchange";
import { readBodyText } from "./read-body";

/** A route handler's Request as an endpoint's ApiRequest. */
export function fromWebRequest(request: Request): ApiRequest {
  const url = new URL(request.url);
  return { method: request.method, url: `${url.pathname}${url.search}`, headers: request.headers, readBody: (options) => readBodyText(request, options) };
}

export function toWebResponse(response: ApiResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** Serves an endpoint from an App Router route handler. */
export async function serveFromRoute(request: Request, endpoint: (request: ApiRequest) => Promise<ApiResponse>): Promise<Response> {
  return toWebResponse(await endpoint(fromWebRequest(request)));
}
