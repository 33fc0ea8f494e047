import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { postTransactions } from "./post-transactions";

export type ExpireHoldsResult = { expired: number; skipped: number; more: boolean };

export const expireHoldsBatchMax = 1000;

/**
 * Expires holds whose `expires_at` has passed: releases their reservation (status `expired`).
 * Bounded per call; `more` says another call has work. Safe to run concurrently: each expiry has
 * the idempotency key `expire:<hold id>`.
 */
export async function expireHolds(db: Db, clock: Clock, options: { limit?: number } = {}): Promise<ExpireHoldsResult> {
  const limit = Math.min(options.limit ?? expireHoldsBatchMax, expireHoldsBatchMax);
  const now = clock.now();
  const due = await executeRows<{ id: string }>(
    db,
    sql`select id from ledger_transactions where status = 'pending' and expires_at <= ${now.toISOString()}::timestamptz
        order by expires_at, id limit ${limit + 1}`,
  );
  const batch = due.slice(0, limit).map((row) => ({
    type: "expire_pending" as const,
    idempotencyKey: `expire:${row.id}`,
    pendingTransactionId: row.id,
    description: "Hold expired",
    actor: systemActor("ledger:expire-holds"),
  }));
  const { results } = await postTransactions(db, batch, { clock });
  const expired = results.filter((result) => result.status === "created").length;
  return { expired, skipped: results.length - expired, more: due.length > limit };
}
