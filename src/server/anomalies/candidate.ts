import type { AnomalyKind, AnomalySeverity } from "@/db/schema";
import type { AnomalySettings } from "./settings";

/**
 * What a detector reports: a condition on one customer's subject over one window, with its
 * evidence. Persisting candidates (persist-anomalies.ts) turns them into anomalies idempotently.
 */
export type AnomalyCandidate = {
  kind: AnomalyKind;
  customerId: string | null;
  subject: string;
  windowStart: Date;
  windowEnd: Date;
  title: string;
  /** Exact decimal strings (quantities or amounts), or null. */
  observed: string | null;
  expected: string | null;
  impactMicros: bigint | null;
  currency: string;
  /** `severity` may be given by the detector; otherwise it follows from the money at stake. */
  severity?: AnomalySeverity;
  /** The lowest severity this kind of finding deserves whatever the money (a stopped meter is at least high). */
  severityFloor?: AnomalySeverity;
  evidence: Record<string, unknown>;
};

/**
 * What one run examined: every active anomaly of `kind` for this customer and subject whose window
 * ends after `since` (null: whatever the window) was re-judged, so one not found again is auto-resolved.
 */
export type EvaluatedScope = { kind: AnomalyKind; customerId: string | null; subject: string; since: Date | null };

export type DetectorOutput = { candidates: AnomalyCandidate[]; evaluated: EvaluatedScope[] };

const order: AnomalySeverity[] = ["low", "medium", "high", "critical"];

export function maxSeverity(left: AnomalySeverity, right: AnomalySeverity): AnomalySeverity {
  return order.indexOf(left) >= order.indexOf(right) ? left : right;
}

/** Severity from the money at stake (settings `severity.*`), never below the detector's floor. */
export function severityOf(candidate: AnomalyCandidate, settings: AnomalySettings): AnomalySeverity {
  if (candidate.severity) return candidate.severity;
  const impact = candidate.impactMicros === null ? 0n : candidate.impactMicros < 0n ? -candidate.impactMicros : candidate.impactMicros;
  const byMoney: AnomalySeverity =
    impact >= settings.micros["severity.critical_micros"] ? "critical" : impact >= settings.micros["severity.high_micros"] ? "high" : impact >= settings.micros["severity.medium_micros"] ? "medium" : "low";
  return maxSeverity(byMoney, candidate.severityFloor ?? "low");
}
