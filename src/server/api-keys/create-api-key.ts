import { z } from "zod";
import type { Db } from "@/db/client";
import { apiKeys, apiKeyScopes } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { generateApiKey, hashApiKey, visiblePrefix } from "./api-key-secret";
import { toApiKeySummary, type ApiKeySummary } from "./api-key-view";

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(apiKeyScopes))
    .min(1)
    .max(apiKeyScopes.length)
    .transform((scopes) => [...new Set(scopes)].sort()),
  reason: z.string().trim().max(500).optional(),
});

export type CreateApiKeyInput = z.input<typeof createApiKeyInput> & { actor: Actor };

/** The secret is in `key` and is shown once: only its hash is stored. */
export type CreateApiKeyResult = { apiKey: ApiKeySummary; key: string };

export async function createApiKey(db: Db, input: CreateApiKeyInput): Promise<CreateApiKeyResult> {
  const parsed = createApiKeyInput.parse(input);
  const key = generateApiKey();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name: parsed.name,
        prefix: visiblePrefix(key),
        keyHash: hashApiKey(key),
        scopes: parsed.scopes,
        createdBy: input.actor.id,
      })
      .returning();
    if (!row) throw new Error("insert into api_keys returned no row");
    const apiKey = toApiKeySummary(row);
    await recordAudit(tx as unknown as Db, {
      actor: input.actor,
      action: "api_key.create",
      objectType: "api_key",
      objectId: row.id,
      reason: parsed.reason ?? null,
      after: apiKey,
    });
    return { apiKey, key };
  });
}
