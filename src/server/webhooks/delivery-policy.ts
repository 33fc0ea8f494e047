/**
 * When to try a failed delivery again, after `attempts` attempts (Standard Webhooks / Svix
 * practice): 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h, each ±10% so many failed deliveries
 * to one endpoint do not come back at once — for three days from the event, then the delivery
 * fails for good. An endpoint failing for the whole window is disabled.
 */
export const webhookDeliveryPolicy = {
  retryWindowMs: 3 * 24 * 3_600_000,
  delaysMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
  jitter: 0.1,
  requestTimeoutMs: 10_000,
  leaseMs: 60_000,
  responseBodyBytesMax: 2_048,
  /** How many deliveries one worker run claims, and sends at once. */
  batchMax: 500,
  concurrency: 64,
} as const;

export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const { delaysMs, jitter } = webhookDeliveryPolicy;
  const base = delaysMs[Math.min(Math.max(attempts - 1, 0), delaysMs.length - 1)]!;
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}

/** The next attempt's time, or null when it would fall outside the retry window (give up). */
export function nextAttemptAt(createdAt: Date, now: Date, attempts: number, random?: () => number): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(attempts, random));
  return next.getTime() - createdAt.getTime() > webhookDeliveryPolicy.retryWindowMs ? null : next;
}
