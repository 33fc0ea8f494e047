/**
 * The Content-Security-Policy of the console's pages. Scripts: only this origin's, and only
 * those carrying this response's nonce ('strict-dynamic' lets Next's nonce'd bootstrap load its
 * chunks); Next reads the nonce from this header on the request and puts it on every script it
 * renders. Styles allow inline: charts (recharts) and popovers (Radix) position with `style`
 * attributes, which nonces cannot cover. The page cannot be framed anywhere. Development adds
 * what React's dev tooling needs ('unsafe-eval', the HMR websocket).
 */
export function contentSecurityPolicy(options: { nonce: string; development: boolean; https: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${options.development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** A fresh, unguessable nonce per response (128 bits, base64). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** HSTS: two years, subdomains too; sent only on responses that went out over HTTPS. */
export const strictTransportSecurity = "max-age=63072000; includeSubDomains";

/** Headers every response carries (pages, route handlers, the public API, static files). */
export const baselineSecurityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
};

/** Whether the request reached us over HTTPS: directly, or through a proxy that says so. */
export function servedOverHttps(forwardedProto: string | null | undefined, encrypted: boolean): boolean {
  if (encrypted) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}
