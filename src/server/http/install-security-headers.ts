import http from "node:http";
import type { TLSSocket } from "node:tls";
import { baselineSecurityHeaders, servedOverHttps, strictTransportSecurity } from "@/lib/security-headers";

/** The Server.prototype.emit that installSecurityHeaders wrapped, while installed. */
const originalEmitKey = Symbol.for("tally.http.securityHeaders.originalEmit");

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Sets the baseline security headers on every response this process serves, before any handler
 * runs (pages, route handlers, the hot routes, static files): `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy`, `X-Frame-Options: DENY`, and HSTS when the request came over HTTPS (directly
 * or per `X-Forwarded-Proto`). A handler may still set its own value. Pages also get their
 * Content-Security-Policy from src/proxy.ts. Installed from instrumentation.ts.
 */
export function installSecurityHeaders(): void {
  const holder = globalThis as Record<symbol, unknown>;
  if (holder[originalEmitKey]) return;
  const prototype = http.Server.prototype as { emit: Emit };
  const emit = prototype.emit;
  holder[originalEmitKey] = emit;
  prototype.emit = function emitWithSecurityHeaders(event, ...args) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      const response = args[1] as http.ServerResponse;
      for (const [name, value] of Object.entries(baselineSecurityHeaders)) response.setHeader(name, value);
      const forwardedProto = request.headers["x-forwarded-proto"];
      if (servedOverHttps(Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto, Boolean((request.socket as TLSSocket).encrypted))) {
        response.setHeader("strict-transport-security", strictTransportSecurity);
      }
    }
    return emit.call(this, event, ...args);
  };
}

/** Tests: back to the emit this wrapped (uninstall in the reverse order of installing). */
export function uninstallSecurityHeaders(): void {
  const holder = globalThis as Record<symbol, unknown>;
  const emit = holder[originalEmitKey] as Emit | undefined;
  if (!emit) return;
  (http.Server.prototype as { emit: Emit }).emit = emit;
  delete holder[originalEmitKey];
}
