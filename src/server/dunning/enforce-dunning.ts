import { itemFailure, type ItemFailure } from "@/server/jobs/item-failures";
import { and, asc, eq, isNull, lte, notInArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dunningCases } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { recordNotification } from "@/server/entitlements/record-notification";
import { restrictEntitlements } from "@/server/entitlements/restrict-entitlements";
import { appendDunningEvent, lockCase } from "./dunning-events";
import { dunningNotificationKinds } from "./policy";

const actor = systemActor("dunning:enforce");
export const enforceBatchMax = 1_000;
export const dunningItemKey = (caseId: string) => `dunning_case:${caseId}`;

/**
 * Restricts usage-based features of every open case whose grace period has ended (one
 * transaction per case; a case is restricted once, so re-running changes nothing).
 */
export async function enforceDunning(
  db: Db,
  clock: Clock,
  options: { limit?: number; skipCaseIds?: ReadonlySet<string> } = {},
): Promise<{ restricted: number; due: number; failed: ItemFailure[] }> {
  const limit = Math.min(options.limit ?? enforceBatchMax, enforceBatchMax);
  const now = clock.now();
  const due = await db
    .select({ id: dunningCases.id })
    .from(dunningCases)
    .where(
      and(
        eq(dunningCases.status, "open"),
        isNull(dunningCases.restrictedAt),
        lte(dunningCases.graceEndsAt, now),
        options.skipCaseIds && options.skipCaseIds.size > 0 ? notInArray(dunningCases.id, [...options.skipCaseIds]) : undefined,
      ),
    )
    .orderBy(asc(dunningCases.graceEndsAt))
    .limit(limit);
  let restricted = 0;
  const failed: ItemFailure[] = [];
  for (const { id } of due) {
    // One case that fails is recorded; the others are still restricted.
    const done = await db.transaction(async (tx) => {
      await tx.execute(lockCase(id));
      const [dunningCase] = await tx.select().from(dunningCases).where(eq(dunningCases.id, id));
      if (!dunningCase || dunningCase.status !== "open" || dunningCase.restrictedAt !== null || dunningCase.graceEndsAt > now) return false;
      const reason = `Payment overdue: invoice ${dunningCase.stripeInvoiceId} unpaid past the grace period`;
      await restrictEntitlements(tx, actor, { customerId: dunningCase.customerId, scope: "usage_based", reason });
      await tx.update(dunningCases).set({ restrictedAt: now, updatedAt: now }).where(eq(dunningCases.id, id));
      await appendDunningEvent(tx, { caseId: id, kind: "restricted", occurredAt: now, actor, reason, details: { scope: "usage_based" }, dedupeKey: `dunning:${dunningCase.stripeInvoiceId}:restricted:${dunningCase.graceEndsAt.toISOString()}` });
      await recordNotification(tx, {
        customerId: dunningCase.customerId,
        kind: dunningNotificationKinds.restricted,
        payload: { stripeInvoiceId: dunningCase.stripeInvoiceId, hostedInvoiceUrl: dunningCase.hostedInvoiceUrl, scope: "usage_based" },
        dedupeKey: `${dunningNotificationKinds.restricted}:${dunningCase.stripeInvoiceId}`,
      });
      await recordAudit(tx, { actor, action: "dunning.case.restrict", objectType: "customer", objectId: dunningCase.customerId, reason, after: { stripeInvoiceId: dunningCase.stripeInvoiceId, scope: "usage_based" } });
      return true;
    }).catch((error: unknown) => {
      failed.push(itemFailure(dunningItemKey(id), error));
      return false;
    });
    if (done) restricted += 1;
  }
  return { restricted, due: due.length, failed };
}
