import type { Db } from "@/db/client";
import { apiKeys, apiKeyScopes } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";
import { demoApiKey, hashApiKey, isProduction, visiblePrefix } from "./api-key-secret";

/**
 * Creates the development key `tly_demo_key_for_local_development_only` with every scope.
 * Idempotent (true when it was created now). Refused in production, where verifyApiKey also
 * refuses the key even if a row for it exists.
 */
export async function seedDemoApiKey(db: Db, options: { nodeEnv?: string } = {}): Promise<boolean> {
  if (isProduction(options.nodeEnv)) {
    throw new DomainError("forbidden", "demo_api_key_in_production", "The demo API key is never created in production.");
  }
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(apiKeys)
      .values({
        name: "Demo key (development only)",
        prefix: visiblePrefix(demoApiKey),
        keyHash: hashApiKey(demoApiKey),
        scopes: [...apiKeyScopes],
        createdBy: "seed",
      })
      .onConflictDoNothing({ target: apiKeys.keyHash })
      .returning({ id: apiKeys.id });
    const row = inserted[0];
    if (!row) return false;
    await recordAudit(tx as unknown as Db, {
      actor: systemActor("seed"),
      action: "api_key.create",
      objectType: "api_key",
      objectId: row.id,
      metadata: { demo: true },
    });
    return true;
  });
}
