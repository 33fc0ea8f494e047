import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { ConsumeRateLimitInput } from "./consume-rate-limit";

export type CheckRateLimitResult = { allowed: boolean; retryAfterMs: number };

/**
 * Whether consuming `cost` of `key` now would be allowed, without spending anything: for limits
 * that count only failures (sign-in attempts per address), checked before the attempt and spent
 * with consumeRateLimit only when it fails. Not atomic with a later consume; where concurrent
 * attempts must not slip past the limit, consume first instead.
 */
export async function checkRateLimit(db: Db, input: ConsumeRateLimitInput): Promise<CheckRateLimitResult> {
  const cost = input.cost ?? 1;
  const nowMs = input.clock ? String(input.clock.now().getTime()) : null;
  const [row] = await executeRows<{ used_ms: string | null; step_ms: string }>(
    db,
    sql`with input as (select coalesce(${nowMs}::numeric, extract(epoch from clock_timestamp()) * 1000) as now_ms)
        select (select greatest(bucket.refill_at_ms - input.now_ms, 0) from rate_limits bucket where bucket.key = ${input.key}) as used_ms,
               ${cost}::numeric * ${input.windowMs}::numeric / ${input.limit}::numeric as step_ms
        from input`,
  );
  const usedMs = Number(row?.used_ms ?? 0);
  const overMs = usedMs + Number(row?.step_ms ?? 0) - input.windowMs;
  return overMs <= 0.000001 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: Math.max(1, Math.ceil(overMs)) };
}
