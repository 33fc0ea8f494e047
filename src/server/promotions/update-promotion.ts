import { eq } from "drizzle-orm";
import { checkCatalogKeys } from "./check-catalog-keys";
import type { Db } from "@/db/client";
import { promotions, type Promotion } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { updatePromotionSchema, type UpdatePromotionInput } from "./promotion-schemas";

/**
 * Edits a promotion. The effect can change only while it is a draft (redemptions copy the effect,
 * but people compare promotions by what they gave); an ended promotion is history and stays as is.
 * A total limit below the redemptions already made is refused by the table's CHECK.
 */
export async function updatePromotion(db: Db, actor: Actor, clock: Clock, rawInput: UpdatePromotionInput): Promise<Promotion> {
  const input = parseInput(updatePromotionSchema, rawInput);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(promotions).where(eq(promotions.id, input.promotionId)).for("update");
    if (!before) throw new DomainError("not_found", "promotion_not_found", "No such promotion.");
    if (before.status === "ended") throw new DomainError("precondition", "promotion_ended", "An ended promotion cannot be edited.");
    if (before.status !== "draft" && canonical(before.effect) !== canonical(input.effect)) {
      throw new DomainError("precondition", "promotion_effect_locked", "The effect can only change while the promotion is a draft; end it and create a new one.");
    }
    await checkCatalogKeys(tx, input);
    if (input.maxRedemptions !== null && input.maxRedemptions < before.redemptionCount) {
      throw new DomainError("invalid", "promotion_limit_below_redemptions", `It has already been redeemed ${before.redemptionCount} times; the limit cannot be lower.`);
    }
    const [after] = await tx
      .update(promotions)
      .set({
        name: input.name,
        description: input.description,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        eligibility: input.eligibility,
        effect: input.effect,
        maxRedemptions: input.maxRedemptions,
        maxRedemptionsPerCustomer: input.maxRedemptionsPerCustomer,
        updatedAt: clock.now(),
      })
      .where(eq(promotions.id, input.promotionId))
      .returning();
    await recordAudit(tx, { actor, action: "promotion.update", objectType: "promotion", objectId: input.promotionId, reason: input.reason || null, before, after });
    return after!;
  });
}

/** jsonb does not keep key order: compare with sorted keys. */
function canonical(value: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));
}
