import crypto from "node:crypto";
import { ApiReference } from "@scalar/nextjs-api-reference";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Interactive reference of /api/v1 (Scalar), from GET /api/v1/openapi.json. Works offline: the
 * Scalar bundle is served from this app (/api/docs/scalar.js, out of node_modules), no web fonts,
 * no telemetry, and "try it" requests go to this same origin. The page carries its own
 * Content-Security-Policy: scripts only from this origin and the page's nonce (the bundle reads
 * the nonce from its `csp-nonce` meta for the styles it injects), no third-party connections.
 */
export async function GET(): Promise<Response> {
  const nonce = crypto.randomBytes(16).toString("base64");
  const render = ApiReference({
    url: "/api/v1/openapi.json",
    cdn: "/api/docs/scalar.js",
    nonce,
    pageTitle: "Tally billing API — reference",
    withDefaultFonts: false,
    telemetry: false,
    hideModels: false,
    defaultHttpClient: { targetKey: "shell", clientKey: "curl" },
    authentication: { preferredSecurityScheme: "apiKey" },
  } as Parameters<typeof ApiReference>[0]);
  const page = await render();
  const headers = new Headers(page.headers);
  headers.set(
    "content-security-policy",
    [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
  );
  headers.set("cache-control", "no-store");
  return new Response(await page.text(), { status: page.status, headers });
}
