import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce, servedOverHttps } from "@/lib/security-headers";

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
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
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
