import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { ConsumeRateLimitInput } from "./consume-rate-limit";

/**
 * Gives back `cost` units that consumeRateLimit spent for an attempt that turned out not to count
 * (a sign-in that succeeded, when only failures are limited). Spending first and refunding after
 * is what makes such a limit hold under concurrency: a check before the attempt and a charge after
 * it let every attempt in flight pass the check. Never moves the key below "full now".
 */
export async function refundRateLimit(db: Db, input: ConsumeRateLimitInput): Promise<void> {
  const cost = input.cost ?? 1;
  const nowMs = input.clock ? String(input.clock.now().getTime()) : null;
  await executeRows(
    db,
    sql`update rate_limits
        set refill_at_ms = greatest(refill_at_ms - ${cost}::numeric * ${input.windowMs}::numeric / ${input.limit}::numeric,
                                    coalesce(${nowMs}::numeric, extract(epoch from clock_timestamp()) * 1000))
        where key = ${input.key}`,
  );
}
