import http from "node:http";
import { ingestLimits } from "@/server/metering/ingest-limits";
import { apiResponseForError, bodyTooLarge } from "./api-exchange";
import { requestIdFor } from "./request-id";
import { nodeHeaders, writeNodeResponse } from "./node-exchange";

/** The Server.prototype.emit that installBodyLimits wrapped, while installed. */
const originalEmitKey = Symbol.for("tally.http.bodyLimits.originalEmit");

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/** The console's own calls (tRPC batches, sign-in forms) and everything else: far above any real request. */
export const defaultBodyBytesMax = 1_048_576;

/**
 * Largest body any route of this server accepts, by path. The public API's endpoints keep their
 * own, smaller limits (their 413 names the endpoint's limit); this bound only catches what they
 * would never reach, so it sits above the largest of them (an events batch).
 */
export function bodyLimitFor(path: string): number {
  if (path.startsWith("/api/v1/")) return ingestLimits.bodyBytesMax + 64 * 1024;
  return defaultBodyBytesMax;
}

/**
 * Refuses an oversized request body with 413 `body_too_large` before any route reads it, for
 * every request this process serves (tRPC, next-auth, route handlers, the hot routes): on the
 * declared Content-Length before a byte is read, and for a body without one (chunked) as soon as
 * the bytes received pass the limit, so no handler ever buffers more than the limit. Without
 * this, four 200 MiB tRPC requests took the server from 577 MB to 1.8 GB (issue 16 #6).
 * Installed from instrumentation.ts, inside installRequestIds (the 413 carries the request id).
 */
export function installBodyLimits(): void {
  const holder = globalThis as Record<symbol, unknown>;
  if (holder[originalEmitKey]) return;
  const prototype = http.Server.prototype as { emit: Emit };
  const emit = prototype.emit;
  holder[originalEmitKey] = emit;
  prototype.emit = function emitWithBodyLimits(event, ...args) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      const response = args[1] as http.ServerResponse;
      const url = request.url ?? "/";
      const queryAt = url.indexOf("?");
      const limit = bodyLimitFor(queryAt === -1 ? url : url.slice(0, queryAt));
      const declared = Number(request.headers["content-length"] ?? "NaN");
      if (Number.isFinite(declared) && declared > limit) {
        refuse(request, response, limit);
        return true;
      }
      if (request.headers["transfer-encoding"] !== undefined) limitStreamedBody(request, response, limit);
    }
    return emit.call(this, event, ...args);
  };
}

/** A body without a declared length: count what the parser hands the request, and stop at the limit. */
function limitStreamedBody(request: http.IncomingMessage, response: http.ServerResponse, limit: number): void {
  const push = request.push.bind(request);
  let received = 0;
  request.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && chunk !== undefined) {
      received += (chunk as Buffer).byteLength ?? 0;
      if (received > limit) {
        request.push = () => false;
        if (!response.headersSent) refuse(request, response, limit);
        request.destroy(bodyTooLarge(limit));
        return false;
      }
    }
    return push(chunk, encoding);
  };
}

function refuse(request: http.IncomingMessage, response: http.ServerResponse, limit: number): void {
  const answer = apiResponseForError(bodyTooLarge(limit), requestIdFor(nodeHeaders(request.headers)));
  // The rest of the body is never read: writeNodeResponse closes the connection after the answer.
  writeNodeResponse(request, response, answer);
}

/** Tests: back to the emit this wrapped (uninstall in the reverse order of installing). */
export function uninstallBodyLimits(): void {
  const holder = globalThis as Record<symbol, unknown>;
  const emit = holder[originalEmitKey] as Emit | undefined;
  if (!emit) return;
  (http.Server.prototype as { emit: Emit }).emit = emit;
  delete holder[originalEmitKey];
}
