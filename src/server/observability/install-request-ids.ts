import http from "node:http";
import { logger } from "./logger";
import { requestIdFrom, requestIdHeader, withRequestContext } from "./request-context";

/** The Server.prototype.emit that installRequestIds wrapped, while installed. */
const originalEmitKey = Symbol.for("tally.observability.requestIds.originalEmit");

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

const accessLog = logger.child({ component: "http" });

/**
 * Gives every HTTP request this process serves a request id, in front of everything else
 * (installed last, from instrumentation.ts, so it wraps the hot routes too): the caller's sane
 * `x-request-id` or a new one, set on the request's headers (route handlers read it there too),
 * returned in the response's `x-request-id`, and held in the request context for the whole
 * request, so every log line and error of it carries the id. Idempotent.
 *
 * With LOG_LEVEL at `debug` (or `info` for everything but the two hot routes), a line per
 * finished request: method, path, status, duration.
 */
export function installRequestIds(): void {
  const holder = globalThis as Record<symbol, unknown>;
  if (holder[originalEmitKey]) return;
  const prototype = http.Server.prototype as { emit: Emit };
  const emit = prototype.emit;
  holder[originalEmitKey] = emit;
  prototype.emit = function emitWithRequestId(event, ...args) {
    if (event !== "request") return emit.call(this, event, ...args);
    const request = args[0] as http.IncomingMessage;
    const response = args[1] as http.ServerResponse;
    const incoming = request.headers[requestIdHeader];
    const requestId = requestIdFrom(typeof incoming === "string" ? incoming : undefined);
    request.headers[requestIdHeader] = requestId;
    response.setHeader(requestIdHeader, requestId);
    if (accessLog.isLevelEnabled("info")) logWhenFinished(request, response, requestId);
    return withRequestContext({ requestId, remoteAddress: request.socket.remoteAddress ?? "" }, () => emit.call(this, event, ...args));
  };
}

function logWhenFinished(request: http.IncomingMessage, response: http.ServerResponse, requestId: string): void {
  const url = request.url ?? "";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const hot = path === "/api/v1/events" || path === "/api/v1/entitlements/check";
  if (hot && !accessLog.isLevelEnabled("debug")) return;
  if (path.startsWith("/_next/")) return;
  const startedMs = performance.now();
  response.once("finish", () => {
    const line = { requestId, method: request.method, path, status: response.statusCode, durationMs: Math.round((performance.now() - startedMs) * 10) / 10 };
    if (hot) accessLog.debug(line, "request");
    else accessLog.info(line, "request");
  });
}

/** Tests: back to the emit this wrapped (uninstall in the reverse order of installing). */
export function uninstallRequestIds(): void {
  const holder = globalThis as Record<symbol, unknown>;
  const emit = holder[originalEmitKey] as Emit | undefined;
  if (!emit) return;
  (http.Server.prototype as { emit: Emit }).emit = emit;
  delete holder[originalEmitKey];
}
