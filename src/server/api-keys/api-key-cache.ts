import type { ApiKeyScope } from "@/db/schema";

export type VerifiedApiKey = { id: string; name: string; prefix: string; scopes: ApiKeyScope[] };

/**
 * verifyApiKey's in-process cache, keyed by the key's SHA-256. A revoke in this process
 * evicts the entry at once; another process notices a revoke within `apiKeyCacheTtlMs`
 * (entries expire and are re-read). Unknown keys are remembered for a shorter time so a
 * client hammering with a bad key costs one query per `apiKeyNegativeCacheTtlMs`, while a key
 * created in another process becomes usable here within that time.
 */
export const apiKeyCacheTtlMs = 30_000;
export const apiKeyNegativeCacheTtlMs = 5_000;
export const apiKeyCacheEntriesMax = 10_000;

type Entry = { key: VerifiedApiKey | null; expiresAtMs: number };

const globalKey = Symbol.for("tally.apiKeyCache");
type GlobalWithCache = typeof globalThis & { [globalKey]?: Map<string, Entry> };

/** One cache per process, shared by every module instance Next.js creates. */
function cache(): Map<string, Entry> {
  const holder = globalThis as GlobalWithCache;
  holder[globalKey] ??= new Map();
  return holder[globalKey];
}

export function readCachedApiKey(hash: string, nowMs: number): Entry | undefined {
  const entry = cache().get(hash);
  if (!entry) return undefined;
  if (entry.expiresAtMs <= nowMs) {
    cache().delete(hash);
    return undefined;
  }
  return entry;
}

export function writeCachedApiKey(hash: string, key: VerifiedApiKey | null, nowMs: number): void {
  const entries = cache();
  entries.delete(hash);
  // Bounded: drop the oldest insertion when full (Map iterates in insertion order).
  while (entries.size >= apiKeyCacheEntriesMax) {
    const oldest = entries.keys().next().value;
    if (oldest === undefined) break;
    entries.delete(oldest);
  }
  entries.set(hash, { key, expiresAtMs: nowMs + (key ? apiKeyCacheTtlMs : apiKeyNegativeCacheTtlMs) });
}

export function evictCachedApiKey(hash: string): void {
  cache().delete(hash);
}

export function clearApiKeyCache(): void {
  cache().clear();
}
