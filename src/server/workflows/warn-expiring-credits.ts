import { and, gt, isNull, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditGrants } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { recordNotification } from "@/server/entitlements/record-notification";
import { creditGrantJson } from "@/server/grants/credit-grant-json";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";

export const creditExpiringKind = "credit.expiring";
export const creditExpiringNoticeDays = 7;

/**
 * Records a `credit.expiring` notification once per grant that expires within seven days with
 * credit left (the relay turns it into the `credit.expiring` webhook). Bounded per run.
 */
export async function warnExpiringCredits(db: Db, clock: Clock, options: { limit?: number } = {}): Promise<{ recorded: number }> {
  const now = clock.now();
  const horizon = new Date(now.getTime() + creditExpiringNoticeDays * 86_400_000);
  const soon = await db
    .select({ customerId: creditGrants.customerId })
    .from(creditGrants)
    .where(and(isNull(creditGrants.expiredAt), gt(creditGrants.expiresAt, now), lte(creditGrants.expiresAt, horizon)))
    .limit(Math.min(options.limit ?? 1_000, 10_000));
  let recorded = 0;
  for (const customerId of new Set(soon.map((row) => row.customerId))) {
    for (const grant of await listCustomerGrants(db, customerId, now)) {
      if (grant.state !== "active" || !grant.expiresAt || grant.expiresAt > horizon || grant.remainingMicros <= 0n) continue;
      const created = await recordNotification(db, { customerId, kind: creditExpiringKind, dedupeKey: `${creditExpiringKind}:${grant.id}`, payload: { credit_grant: creditGrantJson(grant), expires_at: grant.expiresAt.toISOString(), remaining_micros: grant.remainingMicros.toString() } });
      if (created) recorded += 1;
    }
  }
  return { recorded };
}
