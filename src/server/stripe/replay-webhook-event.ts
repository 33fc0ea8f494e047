import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { stripeWebhookEvents } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";

export const replayWebhookEventInput = z.object({
  eventId: z.string().regex(/^evt_[A-Za-z0-9_]{1,250}$/, "A Stripe event id starts with evt_."),
  reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
});
export type ReplayWebhookEventInput = z.infer<typeof replayWebhookEventInput>;

/**
 * Puts a failed, parked or already processed event back in the queue with a fresh attempt
 * budget, audited. Replaying is safe: processing is idempotent (re-fetch, stale guards,
 * ledger idempotency keys), so a processed event replayed changes nothing it should not.
 */
export async function replayWebhookEvent(db: Db, actor: Actor, clock: Clock, rawInput: ReplayWebhookEventInput): Promise<{ eventId: string; status: "pending" }> {
  const input = replayWebhookEventInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(stripeWebhookEvents).where(eq(stripeWebhookEvents.id, input.eventId)).for("update");
    if (!event) throw new DomainError("not_found", "stripe_event_not_found", `No webhook event ${input.eventId} in the inbox.`);
    if (event.status === "pending") throw new DomainError("conflict", "stripe_event_already_pending", `Event ${input.eventId} is already waiting to be processed.`);
    await tx
      .update(stripeWebhookEvents)
      .set({ status: "pending", attempts: 0, nextAttemptAt: clock.now(), lockedUntil: null })
      .where(eq(stripeWebhookEvents.id, input.eventId));
    await recordAudit(tx, {
      actor,
      action: "stripe.webhook_event.replay",
      objectType: "stripe_webhook_event",
      objectId: input.eventId,
      reason: input.reason,
      before: { status: event.status, attempts: event.attempts, lastError: event.lastError },
      after: { status: "pending", attempts: 0 },
    });
    return { eventId: input.eventId, status: "pending" as const };
  });
}
