import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce } from "@/lib/security-headers";
import { installSecurityHeaders, uninstallSecurityHeaders } from "./install-security-headers";

/* Issue 16 #8: no security headers at all. A real Node server stands in for Next. */
let server: http.Server;
let base: string;
beforeAll(async () => {
  installSecurityHeaders();
  server = http.createServer((request, response) => {
    if (request.url === "/api/docs") response.setHeader("x-frame-options", "SAMEORIGIN");
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  uninstallSecurityHeaders();
});

describe("security headers on every response", () => {
  it("sets nosniff, Referrer-Policy and X-Frame-Options; HSTS only over HTTPS", async () => {
    for (const path of ["/", "/api/v1/events", "/_next/static/chunk.js"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("strict-transport-security"), path).toBeNull();
      await response.text();
    }
    const https = await fetch(`${base}/customers`, { headers: { "x-forwarded-proto": "https" } });
    expect(https.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    await https.text();
  });

  it("lets a handler choose its own value", async () => {
    const response = await fetch(`${base}/api/docs`);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    await response.text();
  });
});

describe("the pages' Content-Security-Policy", () => {
  it("allows only nonce'd scripts, no framing, no plugins; inline styles for charts", () => {
    const nonce = newNonce();
    const policy = contentSecurityPolicy({ nonce, development: false, https: false });
    const directives = new Map(policy.split("; ").map((directive) => [directive.split(" ")[0], directive]));
    expect(directives.get("script-src")).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(directives.get("script-src")).not.toContain("unsafe-inline");
    expect(directives.get("script-src")).not.toContain("unsafe-eval");
    expect(directives.get("frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(directives.get("object-src")).toBe("object-src 'none'");
    expect(directives.get("style-src")).toBe("style-src 'self' 'unsafe-inline'");
    expect(directives.has("upgrade-insecure-requests")).toBe(false);
    expect(contentSecurityPolicy({ nonce, development: false, https: true })).toContain("upgrade-insecure-requests");
    expect(contentSecurityPolicy({ nonce, development: true, https: false })).toContain("'unsafe-eval'");
  });

  it("uses a fresh 128-bit nonce every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
