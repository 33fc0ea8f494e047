import { getDatabaseForHotReads } from "@/db/client";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { handleRoute } from "@/server/http/error-response";
import { parseJson, readBodyText } from "@/server/http/read-body";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { entitlementDecisionJson } from "@/server/entitlements/entitlement-json";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/v1/entitlements/check (API key scope `entitlements`), body
 * `{customer, feature, quantity?, reserve?, ttlSeconds?}` → `{allowed, reason, limit, used,
 * remaining, resetsAt, overage, reservationId?}`; quantities are decimal strings. Refusals are
 * 200 with `allowed: false` and a stable `reason`; malformed input is 400 with nothing written.
 * The API key is verified from the in-process cache (no database round trip on the hot path).
 */
export async function POST(request: Request): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDatabaseForHotReads();
    await authenticateApiKey(db, request, "entitlements");
    const body = parseJson(await readBodyText(request, { maxBytes: 4_096 }));
    const result = await checkEntitlement(db, body as never);
    return decisionResponse(JSON.stringify(entitlementDecisionJson(result)));
  });
}

/**
 * An answer is a few hundred bytes: `no-transform` (and a Content-Length) keep Next's gzip
 * from spending more CPU per check than the check itself (it compressed every answer, since
 * clients such as fetch ask for gzip).
 */
function decisionResponse(body: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store, no-transform",
      "content-length": String(Buffer.byteLength(body)),
    },
  });
}
