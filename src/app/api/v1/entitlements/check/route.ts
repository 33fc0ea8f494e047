import { getDb } from "@/db/client";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { handleRoute, jsonResponse } from "@/server/http/error-response";
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
 */
export async function POST(request: Request): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "entitlements");
    const body = parseJson(await readBodyText(request, { maxBytes: 4_096 }));
    const result = await checkEntitlement(db, body as never);
    return jsonResponse(entitlementDecisionJson(result));
  });
}
