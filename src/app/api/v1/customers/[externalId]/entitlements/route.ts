import { getDatabaseForHotReads } from "@/db/client";
import { entitlementDecisionJson } from "@/server/entitlements/entitlement-json";
import { listEntitlements } from "@/server/entitlements/list-entitlements";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { safePathParam } from "@/server/http/read-body";
import { DomainError, handleRoute, jsonResponse } from "@/server/http/error-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v1/customers/{externalId}/entitlements (API key scope `entitlements`): every feature of the customer. */
export async function GET(request: Request, context: { params: Promise<{ externalId: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDatabaseForHotReads();
    await authenticateApiKey(db, request, "entitlements");
    const externalId = safePathParam((await context.params).externalId, "externalId");
    if (externalId.length === 0 || externalId.length > 256) throw new DomainError("invalid", "invalid_customer", "The customer id has 1 to 256 characters.");
    const list = await listEntitlements(db, { externalId });
    return jsonResponse({
      customer: list.externalId,
      subscription: list.subscription,
      restriction: list.restriction,
      period: list.period && { start: list.period.start.toISOString(), end: list.period.end.toISOString() },
      spendLimit: list.spendLimit && { limitMicros: list.spendLimit.limitMicros.toString(), usedMicros: list.spendLimit.usedMicros.toString() },
      features: list.features.map(entitlementDecisionJson),
    });
  });
}
