import crypto from "node:crypto";

/** Keys look like `tly_live_<43 base64url chars>` (256 random bits). */
export const apiKeyLivePrefix = "tly_live_";
/** How many leading characters of a key are stored and shown, e.g. `tly_live_AbCd`. */
export const apiKeyVisiblePrefixLength = 13;
/** Longest key accepted at the boundary: anything longer is refused before hashing. */
export const apiKeyLengthMax = 200;

/**
 * The development key: all scopes, a fixed value so local tools and docs can use it.
 * Never created, and never accepted, when NODE_ENV=production.
 */
export const demoApiKey = "tly_demo_key_for_local_development_only";

export function generateApiKey(): string {
  return `${apiKeyLivePrefix}${crypto.randomBytes(32).toString("base64url")}`;
}

export function hashApiKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}

export function visiblePrefix(key: string): string {
  return key.slice(0, apiKeyVisiblePrefixLength);
}

export function isProduction(nodeEnv: string | undefined = process.env.NODE_ENV): boolean {
  return nodeEnv === "production";
}
