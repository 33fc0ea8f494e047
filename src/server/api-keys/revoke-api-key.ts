import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";
import { evictCachedApiKey } from "./api-key-cache";
import { toApiKeySummary, type ApiKeySummary } from "./api-key-view";

export const revokeApiKeyInput = z.object({
  id: z.uuid(),
  reason: z.string().trim().max(500).optional(),
});

export type RevokeApiKeyInput = z.input<typeof revokeApiKeyInput> & { actor: Actor };

/**
 * Revokes a key. Idempotent: revoking a revoked key returns it unchanged. This process stops
 * accepting the key at once; other processes within apiKeyCacheTtlMs (see api-key-cache.ts).
 */
export async function revokeApiKey(db: Db, input: RevokeApiKeyInput): Promise<ApiKeySummary> {
  const parsed = revokeApiKeyInput.parse(input);
  const result = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(apiKeys).where(eq(apiKeys.id, parsed.id)).for("update");
    if (!current) throw new DomainError("not_found", "api_key_not_found", `No API key has id ${parsed.id}.`);
    if (current.revokedAt) return current;
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date(), revokedBy: input.actor.id })
      .where(eq(apiKeys.id, parsed.id))
      .returning();
    if (!revoked) throw new Error("update of api_keys returned no row");
    await recordAudit(tx as unknown as Db, {
      actor: input.actor,
      action: "api_key.revoke",
      objectType: "api_key",
      objectId: revoked.id,
      reason: parsed.reason ?? null,
      before: toApiKeySummary(current),
      after: toApiKeySummary(revoked),
    });
    return revoked;
  });
  evictCachedApiKey(result.keyHash);
  return toApiKeySummary(result);
}
