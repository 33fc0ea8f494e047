import { getDb } from "@/db/client";
import { systemClock } from "@/server/clock";
import { apiKeyActor, authenticateApiKey } from "@/server/http/authenticate-api-key";
import { handleRoute, jsonResponse } from "@/server/http/error-response";
import { parseJson, readBodyText } from "@/server/http/read-body";
import { redeemPromotionRequest } from "@/server/promotions/redeem-promotion-request";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * POST /api/v1/promotions/redeem (API key scope `entitlements`; the product's own back end calls it)
 * with `{"customer": "<external id>", "code": "LAUNCH50", "idempotencyKey"?: "..."}`: 200 with the
 * effect, or `{error:{code,message}}` with 404 unknown_code, 409 limit_reached / already_redeemed,
 * 422 expired / not_active / not_eligible.
 */
export async function POST(request: Request): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    const key = await authenticateApiKey(db, request, "entitlements");
    const body = parseJson(await readBodyText(request, { maxBytes: 4096 }));
    const response = await redeemPromotionRequest(db, apiKeyActor(key), systemClock, body);
    return jsonResponse(response.body, response.status);
  });
}
