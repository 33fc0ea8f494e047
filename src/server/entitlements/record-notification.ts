import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notifications } from "@/db/schema";

export type RecordNotificationInput = {
  customerId: string | null;
  /** What happened, e.g. `spend_limit.warning`, `dunning.payment_failed`. */
  kind: string;
  payload: Record<string, unknown>;
  /** Names the occurrence: a second record with the same key is a no-op (one warning per threshold per period). */
  dedupeKey: string;
};

/**
 * Records a notification in the outbox, once per dedupe key, under any concurrency (the unique
 * index decides). Returns true when this call recorded it. A sender delivers unsent rows and
 * sets `sent_at` (markNotificationSent).
 */
export async function recordNotification(db: Db, input: RecordNotificationInput): Promise<boolean> {
  if (input.dedupeKey.length === 0 || input.dedupeKey.length > 500) throw new Error("a notification's dedupe key has 1 to 500 characters");
  const inserted = await db
    .insert(notifications)
    .values({ customerId: input.customerId, kind: input.kind, payload: input.payload, dedupeKey: input.dedupeKey })
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return inserted.length > 0;
}

/** Marks a delivered notification; returns false if it was already marked (another sender won). */
export async function markNotificationSent(db: Db, id: string, at: Date): Promise<boolean> {
  const updated = await db
    .update(notifications)
    .set({ sentAt: at })
    .where(sql`${notifications.id} = ${id} and ${notifications.sentAt} is null`)
    .returning({ id: notifications.id });
  return updated.length > 0;
}
