import http from "node:http";
import type { ApiRequest, ApiResponse } from "./api-exchange";
import { checkEntitlementEndpoint } from "./endpoints/check-entitlement-endpoint";
import { ingestEventsEndpoint } from "./endpoints/ingest-events-endpoint";
import { fromNodeRequest, writeNodeResponse } from "./node-exchange";
import { logger } from "@/server/observability/logger";

/*
 * The hot routes: the two public endpoints the product calls on every request it serves — event
 * ingestion and the entitlement check — answered straight from Node's request, ahead of Next's
 * request pipeline, in the same process as `next start`.
 *
 * Why: Next's per-request work (routing, manifests, tracing, and for the App Router a web
 * Request/Response with web streams for the body) costs ~1 ms of CPU per request on the 2-core
 * machine, whatever the handler does — a route handler that only echoes its body tops out near
 * 950 requests/s, while the same handler here serves ~6,500/s. The entitlement check must
 * answer in a few milliseconds at 1,000/s, and ingestion moves 250 KB bodies through those
 * web streams. See bench/suites/entitlements.ts and ingest.ts.
 *
 * How: every Node HTTP server in the process (Next's own, under `next start` or `next dev`)
 * hands a `request` for exactly these methods and paths to the endpoint; every other request
 * goes to Next untouched. The endpoints are the same functions the App Router route handlers
 * serve (src/app/api/v1/events, src/app/api/v1/entitlements/check), so both paths answer the
 * same bytes, and the route handlers keep serving wherever this is not installed (tests that
 * call them directly, a host that is not `next start`, or TALLY_HOT_ROUTES=off). Next's proxy
 * (src/proxy.ts, pages only) never sees these two paths; the body limits and security headers
 * (install-body-limits.ts, install-security-headers.ts) wrap them like every request.
 */

type Endpoint = (request: ApiRequest) => Promise<ApiResponse>;

export const hotRoutes: ReadonlyMap<string, Endpoint> = new Map([
  ["POST /api/v1/events", ingestEventsEndpoint],
  ["POST /api/v1/entitlements/check", checkEntitlementEndpoint],
]);

/** The Server.prototype.emit that installHotRoutes wrapped, while installed. */
const originalEmitKey = Symbol.for("tally.hotRoutes.originalEmit");

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/** The endpoint for this request, if it is a hot route (exact path; the query string is ignored). */
export function hotRouteFor(method: string | undefined, url: string | undefined): Endpoint | undefined {
  if (!method || !url) return undefined;
  const queryAt = url.indexOf("?");
  return hotRoutes.get(`${method} ${queryAt === -1 ? url : url.slice(0, queryAt)}`);
}

/** Answers a hot route; never throws (the endpoint turns failures into error answers). */
export async function serveHotRoute(endpoint: Endpoint, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  try {
    writeNodeResponse(request, response, await endpoint(fromNodeRequest(request)));
  } catch (error) {
    // Only writing can fail here (the client went away); there is no one left to answer.
    logger.warn({ err: error, component: "http" }, "could not write a hot route's answer");
    response.destroy();
  }
}

/**
 * Installs the hot routes in every HTTP server of this process, once (idempotent: `next dev`
 * may run instrumentation again). Called from instrumentation.ts.
 */
export function installHotRoutes(): void {
  const holder = globalThis as Record<symbol, unknown>;
  if (holder[originalEmitKey]) return;
  const prototype = http.Server.prototype as { emit: Emit };
  const emit = prototype.emit;
  holder[originalEmitKey] = emit;
  prototype.emit = function emitWithHotRoutes(event, ...args) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      const endpoint = hotRouteFor(request.method, request.url);
      if (endpoint) {
        void serveHotRoute(endpoint, request, args[1] as http.ServerResponse);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  };
}

/** Tests: every server back to plain Node. */
export function uninstallHotRoutes(): void {
  const holder = globalThis as Record<symbol, unknown>;
  const emit = holder[originalEmitKey] as Emit | undefined;
  if (!emit) return;
  (http.Server.prototype as { emit: Emit }).emit = emit;
  delete holder[originalEmitKey];
}
