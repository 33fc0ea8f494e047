import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { readCachedApiKey, writeCachedApiKey, type VerifiedApiKey } from "./api-key-cache";
import { apiKeyLengthMax, demoApiKey, hashApiKey, isProduction } from "./api-key-secret";

export type { VerifiedApiKey } from "./api-key-cache";

export type VerifyApiKeyOptions = { nodeEnv?: string; nowMs?: number };

/**
 * The key's record if it exists and is not revoked, else null. Usually answered from the
 * in-process cache (see api-key-cache.ts for how long a revoke elsewhere may take to show).
 */
export async function verifyApiKey(db: Db, key: string, options: VerifyApiKeyOptions = {}): Promise<VerifiedApiKey | null> {
  if (key.length === 0 || key.length > apiKeyLengthMax) return null;
  if (key === demoApiKey && isProduction(options.nodeEnv)) return null;
  const hash = hashApiKey(key);
  const nowMs = options.nowMs ?? Date.now();
  const cached = readCachedApiKey(hash, nowMs);
  if (cached) return cached.key;
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  const verified = row ?? null;
  writeCachedApiKey(hash, verified, nowMs);
  return verified;
}
