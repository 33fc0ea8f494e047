import { checkEntitlementEndpoint } from "@/server/http/endpoints/check-entitlement-endpoint";
import { serveFromRoute } from "@/server/http/web-exchange";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** See checkEntitlementEndpoint. Under `next start` the hot route (src/server/http/hot-routes.ts) answers first; this serves everywhere else. */
export async function POST(request: Request): Promise<Response> {
  return serveFromRoute(request, checkEntitlementEndpoint);
}
