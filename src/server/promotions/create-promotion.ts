import type { Db } from "@/db/client";
import { checkCatalogKeys } from "./check-catalog-keys";
import { isUniqueViolation } from "@/db/errors";
import { promotionCodes, promotions, type Promotion } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { createPromotionSchema, type CreatePromotionInput } from "./promotion-schemas";

/** Creates a promotion as a draft, with its shared code when one is given. */
export async function createPromotion(db: Db, actor: Actor, clock: Clock, rawInput: CreatePromotionInput): Promise<Promotion> {
  const input = parseInput(createPromotionSchema, rawInput);
  const now = clock.now();
  try {
    return await db.transaction(async (tx) => {
      await checkCatalogKeys(tx, input);
      const [promotion] = await tx
        .insert(promotions)
        .values({
          name: input.name,
          description: input.description,
          status: "draft",
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          eligibility: input.eligibility,
          effect: input.effect,
          maxRedemptions: input.maxRedemptions,
          maxRedemptionsPerCustomer: input.maxRedemptionsPerCustomer,
          createdBy: actor.label,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (input.sharedCode) {
        await tx.insert(promotionCodes).values({ promotionId: promotion!.id, code: input.sharedCode, kind: "shared", createdAt: now });
      }
      await recordAudit(tx, { actor, action: "promotion.create", objectType: "promotion", objectId: promotion!.id, after: { ...promotion, sharedCode: input.sharedCode } });
      return promotion!;
    });
  } catch (error) {
    if (isUniqueViolation(error, "promotion_codes_code_idx")) {
      throw new DomainError("conflict", "promotion_code_taken", `The code ${input.sharedCode} is already used by a promotion; choose another.`);
    }
    throw error;
  }
}
