import type { Anomaly } from "@/db/schema";

/** An anomaly as the API (`GET /api/v1/anomalies`) and the `anomaly.opened` webhook show it: money as strings, times as RFC 3339. */
export type AnomalyJson = {
  object: "anomaly";
  id: string;
  kind: Anomaly["kind"];
  status: Anomaly["status"];
  severity: Anomaly["severity"];
  customer: string | null;
  customer_external_id: string | null;
  subject: string;
  title: string;
  window: { start: string; end: string };
  observed: string | null;
  expected: string | null;
  impact_micros: string | null;
  currency: string;
  assignee: string | null;
  evidence: Record<string, unknown>;
  first_detected_at: string;
  last_detected_at: string;
  closed_at: string | null;
  closed_reason: string | null;
};

export function anomalyJson(anomaly: Anomaly, customerExternalId: string | null): AnomalyJson {
  return {
    object: "anomaly",
    id: anomaly.id,
    kind: anomaly.kind,
    status: anomaly.status,
    severity: anomaly.severity,
    customer: anomaly.customerId,
    customer_external_id: customerExternalId,
    subject: anomaly.subject,
    title: anomaly.title,
    window: { start: anomaly.windowStart.toISOString(), end: anomaly.windowEnd.toISOString() },
    observed: anomaly.observed,
    expected: anomaly.expected,
    impact_micros: anomaly.impactMicros?.toString() ?? null,
    currency: anomaly.currency,
    assignee: anomaly.assigneeId,
    evidence: JSON.parse(JSON.stringify(anomaly.evidence, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))) as Record<string, unknown>,
    first_detected_at: anomaly.firstDetectedAt.toISOString(),
    last_detected_at: anomaly.lastDetectedAt.toISOString(),
    closed_at: anomaly.closedAt?.toISOString() ?? null,
    closed_reason: anomaly.closedReason,
  };
}
