import { z } from "zod";
import { getDatabaseForHotReads, getDb } from "@/db/client";
import { featureKinds } from "@/db/schema";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { entitlementDecisionJson } from "@/server/entitlements/entitlement-json";
import { entitlementReasons } from "@/server/entitlements/evaluate-entitlement";
import { recordEntitlementCheck } from "@/server/observability/hot-path-metrics";
import type { ApiRequest, ApiResponse } from "../api-exchange";
import { onHotPool } from "../hot-pool";
import { ingestGovernor } from "../ingest-governor";
import { parseJson } from "../read-body";
import { defineRawOperation } from "../v1/operation";
import { decimalString, microsString, timestamp } from "../v1/schemas";
import { serveOperation } from "../v1/serve-operation";

/**
 * POST /api/v1/entitlements/check (API key scope `entitlements`), body
 * `{customer, feature, quantity?, reserve?, ttlSeconds?}` → `{allowed, reason, limit, used,
 * remaining, resetsAt, overage, reservationId?}`; quantities are decimal strings. Refusals are
 * 200 with `allowed: false` and a stable `reason`; malformed input is 400 with nothing written.
 * The API key is verified from the in-process cache (no database round trip on the hot path).
 * `no-transform` keeps a proxy (or Next, when served by the route handler) from compressing a
 * few hundred bytes, which costs more CPU than the check itself.
 */
export async function checkEntitlementEndpointBody(request: ApiRequest): Promise<ApiResponse> {
  const startedMs = performance.now();
  const hotReads = await getDatabaseForHotReads();
  const body = parseJson(await request.readBody({ maxBytes: 4_096 }));
  // A reservation is a transaction holding locks: on the main pool, never in the hot pool's
  // single pipelined connection, where every check would wait behind it.
  const reserve = typeof body === "object" && body !== null && (body as { reserve?: unknown }).reserve === true;
  let result: Awaited<ReturnType<typeof checkEntitlement>> | undefined;
  try {
    result = reserve ? await checkEntitlement(await getDb(), body as never) : await onHotPool(hotReads, (db) => checkEntitlement(db, body as never));
  } finally {
    recordEntitlementCheck(startedMs, result);
    if (result) ingestGovernor()?.observeCheck(performance.now() - startedMs);
  }
  return {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store, no-transform" },
    body: JSON.stringify(entitlementDecisionJson(result)),
  };
}

export const spendSchema = z.strictObject({ limitMicros: microsString, usedMicros: microsString });
export const decisionSchema = z
  .strictObject({
    allowed: z.boolean(),
    reason: z.enum(entitlementReasons),
    feature: z.string(),
    kind: z.enum(featureKinds).nullable(),
    limit: decimalString.nullable(),
    used: decimalString.nullable(),
    remaining: decimalString.nullable(),
    resetsAt: timestamp.nullable(),
    overage: z.enum(["bill", "block"]).nullable(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    spend: spendSchema.optional(),
    reservationId: z.uuid().optional(),
    reservationExpiresAt: timestamp.optional(),
  })
  .meta({ id: "EntitlementDecision", description: "May the customer use the feature now? Refusals are `allowed: false` with a stable `reason`." });

export const checkEntitlementOperation = defineRawOperation({
  id: "checkEntitlement",
  method: "POST",
  path: "/entitlements/check",
  scope: "entitlements",
  tag: "Entitlements",
  summary: "Check (and optionally reserve) an entitlement",
  description: "Answers in a few milliseconds. With `reserve: true` the quantity is held until a usage event carrying `data.reservation_id` consumes it, it is released, or `ttlSeconds` pass; concurrent reservations never pass a hard limit together.",
  errors: [],
  bodyBytesMax: 4_096,
  logRequests: false,
  requestBody: {
    contentTypes: ["application/json"],
    schema: z
      .strictObject({ customer: z.string().min(1).max(256), feature: z.string().min(1).max(64), quantity: decimalString.optional(), reserve: z.boolean().optional(), ttlSeconds: z.number().int().min(1).optional() })
      .meta({ id: "EntitlementCheck" }),
    description: "The customer's external id, the feature key, and the quantity (default 1).",
  },
  responses: { 200: decisionSchema },
  handler: (request) => checkEntitlementEndpointBody(request),
});


/** The endpoint with the API's conventions: served by the hot route and the App Router route alike. */
export function checkEntitlementEndpoint(request: ApiRequest): Promise<ApiResponse> {
  return serveOperation(checkEntitlementOperation, request, {});
}
