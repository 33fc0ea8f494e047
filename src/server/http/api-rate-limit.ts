import type { Db } from "@/db/client";
import { DomainError } from "@/server/errors";
import { consumeRateLimit } from "@/server/rate-limit";

export type ApiRateLimitClass = "resource" | "hot";

/** From the environment (validated at start-up in src/env.ts), read per call so tests and operators can change it. */
export function apiRateLimitFor(kind: ApiRateLimitClass): { limit: number; windowMs: number } | null {
  const raw = kind === "hot" ? process.env.TALLY_API_HOT_RATE_LIMIT_PER_SECOND : process.env.TALLY_API_RATE_LIMIT_PER_MINUTE;
  const limit = raw === undefined || raw === "" ? (kind === "hot" ? 0 : 600) : Number(raw);
  if (!Number.isInteger(limit) || limit <= 0) return null;
  return { limit, windowMs: kind === "hot" ? 1_000 : 60_000 };
}

/**
 * Spends one request of the key's allowance (PostgreSQL-backed, so every server process enforces
 * the same limit); past it, 429 `rate_limited` with `Retry-After`. Returns the headers that tell
 * the caller where it stands.
 */
export async function enforceApiRateLimit(db: Db, apiKeyId: string, kind: ApiRateLimitClass): Promise<Record<string, string>> {
  const config = apiRateLimitFor(kind);
  if (!config) return {};
  const result = await consumeRateLimit(db, { key: `api-key:${apiKeyId}:${kind}`, limit: config.limit, windowMs: config.windowMs });
  const headers = { "x-ratelimit-limit": String(config.limit), "x-ratelimit-remaining": String(result.remaining) };
  if (!result.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      `This API key made more than ${config.limit} requests per ${config.windowMs === 1_000 ? "second" : "minute"}; retry in ${retryAfterSeconds} s (Retry-After).`,
      { retryAfterSeconds, limit: config.limit, windowSeconds: config.windowMs / 1000 },
    );
  }
  return headers;
}
