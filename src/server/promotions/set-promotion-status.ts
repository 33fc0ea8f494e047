import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { promotionCodes, promotions, type Promotion, type PromotionStatus } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";

const allowed: Record<PromotionStatus, PromotionStatus[]> = {
  draft: ["active", "ended"],
  active: ["paused", "ended"],
  paused: ["active", "ended"],
  ended: [],
};

/** Activate, pause, resume or end a promotion. Ending is final. Activating needs at least one code. */
export async function setPromotionStatus(
  db: Db,
  actor: Actor,
  clock: Clock,
  input: { promotionId: string; status: Exclude<PromotionStatus, "draft">; reason?: string },
): Promise<Promotion> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(promotions).where(eq(promotions.id, input.promotionId)).for("update");
    if (!before) throw new DomainError("not_found", "promotion_not_found", "No such promotion.");
    if (before.status === input.status) return before;
    if (!allowed[before.status].includes(input.status)) {
      throw new DomainError("precondition", "promotion_status_invalid", `A ${before.status} promotion cannot become ${input.status}.`);
    }
    if (input.status === "active") {
      const [code] = await tx.select({ id: promotionCodes.id }).from(promotionCodes).where(eq(promotionCodes.promotionId, before.id)).limit(1);
      if (!code) throw new DomainError("precondition", "promotion_has_no_codes", "Add a shared code or generate codes before activating.");
    }
    const [after] = await tx.update(promotions).set({ status: input.status, updatedAt: clock.now() }).where(eq(promotions.id, before.id)).returning();
    await recordAudit(tx, {
      actor,
      action: `promotion.${input.status === "active" ? "activate" : input.status === "paused" ? "pause" : "end"}`,
      objectType: "promotion",
      objectId: before.id,
      reason: input.reason ?? null,
      before: { status: before.status },
      after: { status: after!.status },
    });
    return after!;
  });
}
