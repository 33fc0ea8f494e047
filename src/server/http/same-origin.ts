/**
 * Why a state-changing request from a browser must be refused as cross-site, or null. Defence in
 * depth beside the session cookie's SameSite=Lax: the `Origin` a browser sends with every POST
 * must name this host (as the request reached us: `x-forwarded-host` behind a proxy, else
 * `host`), and `Sec-Fetch-Site`, when sent, must not be `cross-site`. A request with neither
 * header is not from a browser page (curl, a server) and carries no ambient cookie risk.
 */
export function crossOriginProblem(headers: Headers): string | null {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite === "cross-site") return "This request came from another site.";
  const origin = headers.get("origin");
  if (origin === null) return null;
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  if (!host || !URL.canParse(origin)) return "The request's Origin is not this site.";
  const originUrl = new URL(origin);
  if (originUrl.protocol !== "http:" && originUrl.protocol !== "https:") return "The request's Origin is not this site.";
  return originUrl.host === host.toLowerCase() ? null : "The request's Origin is not this site.";
}

/** The answer to a refused cross-site mutation: 403 with a stable code. */
export function crossOriginResponse(problem: string): Response {
  return Response.json({ error: { code: "cross_origin_request", message: problem } }, { status: 403, headers: { "cache-control": "no-store" } });
}
