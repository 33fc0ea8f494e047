/*
 * The Billing health page's thresholds, in one place: past `amber` a chart turns amber, past
 * `red` red. `direction: "below"` for figures where lower is worse. Defaults from issue #13:
 * metering lag p99 over 60 s, the oldest pending webhook over 5 minutes, any open discrepancy,
 * any failed daily job are red.
 */
export type Threshold = { amber: number; red: number; direction?: "above" | "below"; unit: string };

export const healthThresholds = {
  meteringLagP99Seconds: { amber: 30, red: 60, unit: "s" },
  rollupBacklogEvents: { amber: 50_000, red: 500_000, unit: "events" },
  ingestRejectedShare: { amber: 0.01, red: 0.05, unit: "share" },
  unknownSubjectEvents: { amber: 1, red: 10_000, unit: "events" },
  entitlementCheckP99Ms: { amber: 10, red: 50, unit: "ms" },
  entitlementRefusedShare: { amber: 0.2, red: 0.5, unit: "share" },
  webhookOldestPendingSeconds: { amber: 60, red: 300, unit: "s" },
  webhookInboxDepth: { amber: 100, red: 1_000, unit: "events" },
  webhookFailures: { amber: 1, red: 10, unit: "events" },
  stripeApiErrors: { amber: 1, red: 50, unit: "calls" },
  stripeApiRetries: { amber: 10, red: 100, unit: "calls" },
  failedDailyJobs: { amber: 1, red: 1, unit: "jobs" },
  openDiscrepancies: { amber: 1, red: 1, unit: "discrepancies" },
  /** An item a billing job could not process is money not billed or collected until someone fixes it. */
  openJobItemFailures: { amber: 1, red: 25, unit: "items" },
  invoiceAccuracyFirstAttempt: { amber: 0.99, red: 0.95, direction: "below", unit: "share" },
} as const satisfies Record<string, Threshold>;

export type HealthLevel = "ok" | "amber" | "red";

export function levelOf(value: number | null, threshold: Threshold): HealthLevel {
  if (value === null || !Number.isFinite(value)) return "ok";
  if (threshold.direction === "below") return value < threshold.red ? "red" : value < threshold.amber ? "amber" : "ok";
  return value >= threshold.red ? "red" : value >= threshold.amber ? "amber" : "ok";
}

export function worstLevel(levels: readonly HealthLevel[]): HealthLevel {
  return levels.includes("red") ? "red" : levels.includes("amber") ? "amber" : "ok";
}
