import { secondsSince } from "./metrics";
import { entitlementCheckDuration, entitlementChecksTotal, ingestBatchSize, ingestEventsTotal, ingestRequestDuration } from "./tally-metrics";

/*
 * The hot paths' instrumentation, one call per request (never per event): counting a batch's
 * results walks the results only when some were rejected, and the common label sets are
 * resolved once here.
 */

const accepted = ingestEventsTotal.labels("accepted", "");
const duplicate = ingestEventsTotal.labels("duplicate", "");
const statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

type IngestOutcome = { accepted: number; duplicates: number; rejected: number; results: readonly { status: string; code?: string }[] };

/** After POST /api/v1/events answered: its duration, batch size and each event's result. */
export function recordIngestRequest(startedMs: number, httpStatus: number, outcome: IngestOutcome | undefined): void {
  ingestRequestDuration.observe({ status: statusClasses[Math.floor(httpStatus / 100) - 1] ?? "5xx" }, secondsSince(startedMs));
  if (!outcome) return;
  ingestBatchSize.observe(outcome.results.length);
  if (outcome.accepted > 0) accepted.inc(outcome.accepted);
  if (outcome.duplicates > 0) duplicate.inc(outcome.duplicates);
  if (outcome.rejected === 0) return;
  for (const result of outcome.results) {
    if (result.status === "rejected") ingestEventsTotal.inc({ result: "rejected", code: result.code ?? "unknown" });
  }
}

type CheckOutcome = { allowed: boolean; reason: string; limit: string | null; used: string | null; overage: string | null };

/**
 * After POST /api/v1/entitlements/check answered: its duration and result. `warned` is an
 * allowed check past the allowance (billed as overage); a request refused for its input or
 * key, or failed, is `error` with reason `invalid`.
 */
export function recordEntitlementCheck(startedMs: number, decision: CheckOutcome | undefined): void {
  entitlementCheckDuration.observe(secondsSince(startedMs));
  if (!decision) {
    entitlementChecksTotal.inc({ result: "error", reason: "invalid" });
    return;
  }
  const result = !decision.allowed ? "refused" : isPastAllowance(decision) ? "warned" : "allowed";
  entitlementChecksTotal.inc({ result, reason: decision.reason });
}

function isPastAllowance(decision: CheckOutcome): boolean {
  if (decision.overage !== "bill" || decision.limit === null || decision.used === null) return false;
  // Decimal strings of at most 20 integer digits: compare as numbers of equal scale would need
  // a decimal library; a float is exact enough to tell "past the allowance" here (no money).
  return Number(decision.used) >= Number(decision.limit);
}
