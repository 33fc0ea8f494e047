import type { CheckEntitlementResult } from "./check-entitlement";

/** The HTTP shape of a decision: decimals stay strings, money crosses as a string of micro-units, time as ISO. */
export function entitlementDecisionJson(result: CheckEntitlementResult): Record<string, unknown> {
  return {
    allowed: result.allowed,
    reason: result.reason,
    feature: result.feature,
    kind: result.kind,
    limit: result.limit,
    used: result.used,
    remaining: result.remaining,
    resetsAt: result.resetsAt?.toISOString() ?? null,
    overage: result.overage,
    ...(result.value !== undefined ? { value: result.value } : {}),
    ...(result.spend ? { spend: { limitMicros: result.spend.limitMicros.toString(), usedMicros: result.spend.usedMicros.toString() } } : {}),
    ...(result.reservationId ? { reservationId: result.reservationId, reservationExpiresAt: result.reservationExpiresAt?.toISOString() } : {}),
  };
}
