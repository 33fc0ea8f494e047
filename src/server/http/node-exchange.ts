import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { collectBody, type ApiRequest, type ApiResponse, type HeaderReader } from "./api-exchange";

/** Node's headers (lower-cased names; repeated ones as arrays or joined) as a HeaderReader. */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
    has(name) {
      return headers[name.toLowerCase()] !== undefined;
    },
  };
}

export function fromNodeRequest(request: IncomingMessage): ApiRequest {
  const headers = nodeHeaders(request.headers);
  return {
    method: request.method ?? "GET",
    url: request.url ?? "/",
    headers,
    readBody: (options) =>
      // destroyOnReturn false: giving up on an oversized body must not destroy the socket before the 413 is written.
      collectBody(request.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>, {
        maxBytes: options.maxBytes,
        declaredLength: headers.get("content-length"),
        // Stop reading; the answer (413) is still written, and the connection closes after it.
        cancel: () => {
          request.pause();
          request.unpipe();
        },
      }),
  };
}

/**
 * Writes the whole answer with its Content-Length (no chunked encoding, no compression: answers
 * are small or compact JSON). When the body was refused unread (413), the connection closes
 * after the answer rather than reading the rest of it.
 */
export function writeNodeResponse(request: IncomingMessage, response: ServerResponse, answer: ApiResponse): void {
  const body = Buffer.from(answer.body, "utf8");
  const headers: Record<string, string> = { ...answer.headers, "content-length": String(body.byteLength) };
  if (!request.complete) headers.connection = "close";
  response.writeHead(answer.status, headers);
  response.end(body);
}
