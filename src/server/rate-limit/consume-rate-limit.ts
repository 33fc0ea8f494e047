import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Clock } from "@/server/clock";

export type ConsumeRateLimitInput = {
  /** What is limited, namespaced by its caller: `api-key:<id>`, `sign-in:address:<ip>`. At most 256 characters. */
  key: string;
  /** How many units the key may spend in any `windowMs` (also the largest burst). */
  limit: number;
  windowMs: number;
  /** Units this request spends (default 1); at most `limit`. */
  cost?: number;
  /** Whose time; default the database's clock, so every server process agrees. */
  clock?: Clock;
};

export type ConsumeRateLimitResult = {
  allowed: boolean;
  limit: number;
  /** Units still available right now (after this request when it was allowed). */
  remaining: number;
  /** 0 when allowed; otherwise how long until this request's `cost` would be allowed (`Retry-After`). */
  retryAfterMs: number;
  /** How long until the key is back to its full `limit` (`RateLimit-Reset`). */
  resetAfterMs: number;
};

export const rateLimitBounds = { keyLengthMax: 256, limitMax: 1_000_000_000, windowMsMax: 366 * 24 * 3_600_000 } as const;

/**
 * Rounding slack for the comparison in milliseconds. The step (window / limit) is a numeric
 * division, exact to ~20 significant digits, so `limit` steps can miss the window by far less
 * than this; it is far below one step for any allowed limit and window.
 */
const comparisonSlackMs = "0.000001";

function assertInput(input: ConsumeRateLimitInput, cost: number): void {
  // Programmer errors: callers pass constants or bounded values.
  if (input.key.length === 0 || input.key.length > rateLimitBounds.keyLengthMax) {
    throw new RangeError(`rate limit key must be 1-${rateLimitBounds.keyLengthMax} characters`);
  }
  if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > rateLimitBounds.limitMax) {
    throw new RangeError(`rate limit must be an integer from 1 to ${rateLimitBounds.limitMax}`);
  }
  if (!Number.isSafeInteger(input.windowMs) || input.windowMs < 1 || input.windowMs > rateLimitBounds.windowMsMax) {
    throw new RangeError(`rate limit window must be an integer from 1 to ${rateLimitBounds.windowMsMax} ms`);
  }
  if (!Number.isSafeInteger(cost) || cost < 1 || cost > input.limit) {
    throw new RangeError(`rate limit cost must be an integer from 1 to the limit (${input.limit})`);
  }
}

/**
 * Spends `cost` units of `key`'s allowance, or refuses without spending anything — in one
 * statement, so any number of concurrent callers in any number of server processes never admit
 * more than `limit` units per `windowMs`.
 *
 * The algorithm is GCRA (a token bucket kept as one timestamp): each unit moves the key's
 * "full again at" moment forward by windowMs / limit; a request is allowed while that moment
 * stays within one window of now. So a key may burst `limit` units at once and then spend them
 * again at the steady rate limit / windowMs, with an exact `retryAfterMs` when refused. The row
 * is locked by INSERT ... ON CONFLICT DO UPDATE, whose WHERE sees the latest committed version.
 */
export async function consumeRateLimit(db: Db, input: ConsumeRateLimitInput): Promise<ConsumeRateLimitResult> {
  const cost = input.cost ?? 1;
  assertInput(input, cost);
  const nowMs = input.clock ? String(input.clock.now().getTime()) : null;
  const [row] = await executeRows<{ allowed_used_ms: string | null; previous_used_ms: string | null; step_ms: string; unit_ms: string }>(
    db,
    sql`with input as (
          select coalesce(${nowMs}::numeric, extract(epoch from clock_timestamp()) * 1000) as now_ms,
                 ${cost}::numeric * ${input.windowMs}::numeric / ${input.limit}::numeric as step_ms
        ),
        attempt as (
          insert into rate_limits as bucket (key, refill_at_ms)
          select ${input.key}, input.now_ms + input.step_ms from input
          on conflict (key) do update
            set refill_at_ms = greatest(bucket.refill_at_ms, (select now_ms from input)) + (select step_ms from input)
            where greatest(bucket.refill_at_ms, (select now_ms from input)) + (select step_ms from input) - (select now_ms from input)
                  <= ${input.windowMs}::numeric + ${comparisonSlackMs}::numeric
          returning refill_at_ms
        )
        select (select attempt.refill_at_ms - input.now_ms from attempt) as allowed_used_ms,
               (select greatest(bucket.refill_at_ms - input.now_ms, 0) from rate_limits bucket where bucket.key = ${input.key}) as previous_used_ms,
               input.step_ms as step_ms,
               ${input.windowMs}::numeric / ${input.limit}::numeric as unit_ms
        from input`,
  );
  if (!row) throw new Error("rate limit statement returned no row");
  const unitMs = Number(row.unit_ms);
  const remainingFor = (usedMs: number) =>
    Math.max(0, Math.min(input.limit, Math.floor((input.windowMs - usedMs) / unitMs + 1e-9)));
  if (row.allowed_used_ms !== null) {
    const usedMs = Number(row.allowed_used_ms);
    return { allowed: true, limit: input.limit, remaining: remainingFor(usedMs), retryAfterMs: 0, resetAfterMs: Math.ceil(usedMs) };
  }
  // Refused. The used time comes from the statement's snapshot, which a concurrent caller may
  // have moved on since; the retry hint is then a little early, never wrong about the refusal.
  const usedMs = Number(row.previous_used_ms ?? row.step_ms);
  const retryAfterMs = Math.max(1, Math.ceil(usedMs + Number(row.step_ms) - input.windowMs));
  return { allowed: false, limit: input.limit, remaining: remainingFor(usedMs), retryAfterMs, resetAfterMs: Math.ceil(usedMs) };
}
