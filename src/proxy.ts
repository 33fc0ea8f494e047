import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce, servedOverHttps } from "@/lib/security-headers";
import { findUnsafeUrlText, type UnsafeUrlText } from "@/lib/unsafe-url-text";

/**
 * Next's proxy (formerly middleware), for pages only: a fresh nonce and the Content-Security-Policy
 * that allows only scripts carrying it. The policy goes on the request too, where Next reads the
 * nonce for the scripts it renders. The baseline headers (nosniff, Referrer-Policy, HSTS) are set
 * for every response by src/server/http/install-security-headers.ts; /api routes set their own
 * (the API reference at /api/docs has its own policy).
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const policy = contentSecurityPolicy({
    nonce,
    development: process.env.NODE_ENV === "development",
    https: servedOverHttps(request.headers.get("x-forwarded-proto"), request.nextUrl.protocol === "https:"),
  });
  const unsafe = findUnsafeUrlText(request.nextUrl.searchParams);
  if (unsafe) return refusedLink(request, unsafe, policy);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

/** 400 `invalid_text` for a page link no page should read, with a way back to the page without its parameters. */
function refusedLink(request: NextRequest, unsafe: UnsafeUrlText, policy: string): NextResponse {
  const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  const path = escape(request.nextUrl.pathname);
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link refused · Tally</title></head><body>
<main><h1>This link cannot be opened</h1><p data-error-code="invalid_text">${escape(unsafe.message)}</p>
<p>Error code: <code>invalid_text</code></p><p><a href="${path}">Open ${path} without its parameters</a></p></main></body></html>`;
  return new NextResponse(body, { status: 400, headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": policy, "cache-control": "no-store" } });
}

export const config = {
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
