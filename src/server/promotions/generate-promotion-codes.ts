import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { promotionCodes, promotions } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { promotionLimits } from "./promotion-schemas";

// No 0/O/1/I: people read these codes aloud and type them.
const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const randomPartLength = 10;
const attemptsMax = 5;

export type GeneratePromotionCodesInput = { promotionId: string; count: number; prefix?: string };

/**
 * Generates `count` single-use codes (`PREFIX-XXXXXXXXXX`, 32^10 possibilities each). A collision
 * with an existing code is skipped by the unique index and made up in the next round (bounded).
 */
export async function generatePromotionCodes(db: Db, actor: Actor, clock: Clock, input: GeneratePromotionCodesInput): Promise<{ codes: string[] }> {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > promotionLimits.generatedCodesPerCallMax) {
    throw new DomainError("invalid", "code_count_invalid", `Generate between 1 and ${promotionLimits.generatedCodesPerCallMax} codes at a time.`);
  }
  const prefix = (input.prefix ?? "").trim().toUpperCase();
  if (prefix && !/^[A-Z0-9]{1,16}$/.test(prefix)) throw new DomainError("invalid", "code_prefix_invalid", "A prefix has 1–16 letters or digits.");
  return db.transaction(async (tx) => {
    const [promotion] = await tx.select({ id: promotions.id, status: promotions.status }).from(promotions).where(eq(promotions.id, input.promotionId));
    if (!promotion) throw new DomainError("not_found", "promotion_not_found", "No such promotion.");
    if (promotion.status === "ended") throw new DomainError("precondition", "promotion_ended", "An ended promotion gets no new codes.");
    const created: string[] = [];
    for (let attempt = 0; attempt < attemptsMax && created.length < input.count; attempt++) {
      const wanted = Array.from({ length: input.count - created.length }, () => randomCode(prefix));
      for (let start = 0; start < wanted.length; start += 1000) {
        const rows = await tx
          .insert(promotionCodes)
          .values(wanted.slice(start, start + 1000).map((code) => ({ promotionId: promotion.id, code, kind: "unique" as const, maxRedemptions: 1, createdAt: clock.now() })))
          .onConflictDoNothing({ target: promotionCodes.code })
          .returning({ code: promotionCodes.code });
        created.push(...rows.map((row) => row.code));
      }
    }
    if (created.length < input.count) throw new Error("promotions: could not generate enough unique codes");
    await recordAudit(tx, { actor, action: "promotion.codes.generate", objectType: "promotion", objectId: promotion.id, after: { count: created.length, prefix } });
    return { codes: created };
  });
}

function randomCode(prefix: string): string {
  const bytes = crypto.randomBytes(randomPartLength);
  let random = "";
  for (const byte of bytes) random += alphabet[byte % alphabet.length];
  return prefix ? `${prefix}-${random}` : random;
}
