import { getDatabaseForHotReads, getDb, type Db } from "@/db/client";
import { isStatementTimeout } from "@/db/errors";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { entitlementDecisionJson } from "@/server/entitlements/entitlement-json";
import { recordEntitlementCheck } from "@/server/observability/hot-path-metrics";
import { runEndpoint, type ApiRequest, type ApiResponse } from "../api-exchange";
import { authenticateApiKey } from "../authenticate-api-key";
import { parseJson } from "../read-body";

/**
 * POST /api/v1/entitlements/check (API key scope `entitlements`), body
 * `{customer, feature, quantity?, reserve?, ttlSeconds?}` → `{allowed, reason, limit, used,
 * remaining, resetsAt, overage, reservationId?}`; quantities are decimal strings. Refusals are
 * 200 with `allowed: false` and a stable `reason`; malformed input is 400 with nothing written.
 * The API key is verified from the in-process cache (no database round trip on the hot path).
 * `no-transform` keeps a proxy (or Next, when served by the route handler) from compressing a
 * few hundred bytes, which costs more CPU than the check itself.
 */
export async function checkEntitlementEndpoint(request: ApiRequest): Promise<ApiResponse> {
  const startedMs = performance.now();
  let decision: Awaited<ReturnType<typeof checkEntitlement>> | undefined;
  const response = await runEndpoint(async () => {
    const hotReads = await getDatabaseForHotReads();
    await onHotPool(hotReads, (db) => authenticateApiKey(db, request, "entitlements"));
    const body = parseJson(await request.readBody({ maxBytes: 4_096 }));
    // A reservation is a transaction holding locks: on the main pool, never in the hot pool's
    // single pipelined connection, where every check would wait behind it.
    const reserve = typeof body === "object" && body !== null && (body as { reserve?: unknown }).reserve === true;
    const result = reserve ? await checkEntitlement(await getDb(), body as never) : await onHotPool(hotReads, (db) => checkEntitlement(db, body as never));
    decision = result;
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store, no-transform" },
      body: JSON.stringify(entitlementDecisionJson(result)),
    };
  });
  recordEntitlementCheck(startedMs, decision);
  return response;
}

/**
 * Work on the hot pool, whose pipelined connection serves every check of this process: a
 * statement there is cancelled after hotStatementTimeoutMs (src/db/client.ts), so one slow check
 * (a customer's busy edge hour, a cold definition, a lock) holds the checks queued behind it for
 * at most that long, and is then done on the main pool, without the timeout's pressure.
 */
async function onHotPool<T>(hotReads: Db, work: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await work(hotReads);
  } catch (error) {
    if (!isStatementTimeout(error)) throw error;
    return work(await getDb());
  }
}
