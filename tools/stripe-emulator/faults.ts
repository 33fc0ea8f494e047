import type { SeededRandom } from "./random";

/**
 * Faults injected on purpose so callers can prove their retries and webhook handling. Rates are
 * fractions in [0, 1]; every decision draws from the emulator's seeded random source.
 */
export interface FaultConfig {
  /** Fraction of API calls answered 500 (`api_error`). */
  serverErrorRate: number;
  /** Of those 500s, the fraction that happen after the request was executed (the response is "lost"). */
  serverErrorAfterExecutionShare: number;
  /** Fraction of API calls answered 429 with `Stripe-Should-Retry: true`, before executing. */
  rateLimitRate: number;
  /** Added latency per API call: base plus a uniform random jitter. */
  latencyMs: number;
  latencyJitterMs: number;
  /** Fraction of webhook deliveries sent twice. */
  webhookDuplicateRate: number;
  /** Fraction of webhook deliveries held back by `webhookReorderDelayMs`, so later events overtake them. */
  webhookReorderRate: number;
  webhookReorderDelayMs: number;
  /** Delay added to every webhook delivery. */
  webhookDelayMs: number;
}

export const noFaults: FaultConfig = {
  serverErrorRate: 0,
  serverErrorAfterExecutionShare: 0.5,
  rateLimitRate: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookReorderDelayMs: 200,
  webhookDelayMs: 0,
};

export function mergeFaults(current: FaultConfig, patch: Partial<FaultConfig>): FaultConfig {
  const next = { ...current, ...patch };
  for (const key of ["serverErrorRate", "serverErrorAfterExecutionShare", "rateLimitRate", "webhookDuplicateRate", "webhookReorderRate"] as const) {
    const rate = next[key];
    if (!(rate >= 0 && rate <= 1)) throw new Error(`fault ${key} must be within [0, 1], got ${rate}`);
  }
  for (const key of ["latencyMs", "latencyJitterMs", "webhookReorderDelayMs", "webhookDelayMs"] as const) {
    const value = next[key];
    if (!(value >= 0 && value <= 60_000)) throw new Error(`fault ${key} must be within [0, 60000] ms, got ${value}`);
  }
  return next;
}

export type ApiFault = "none" | "rate_limit" | "server_error_before" | "server_error_after";

export function pickApiFault(config: FaultConfig, random: SeededRandom): ApiFault {
  if (random.chance(config.rateLimitRate)) return "rate_limit";
  if (random.chance(config.serverErrorRate))
    return random.chance(config.serverErrorAfterExecutionShare) ? "server_error_after" : "server_error_before";
  return "none";
}

export function pickLatencyMs(config: FaultConfig, random: SeededRandom): number {
  if (config.latencyMs === 0 && config.latencyJitterMs === 0) return 0;
  return config.latencyMs + Math.floor(random.next() * config.latencyJitterMs);
}
