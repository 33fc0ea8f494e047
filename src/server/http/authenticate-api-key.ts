import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { verifyApiKey, type VerifiedApiKey } from "@/server/api-keys/verify-api-key";
import type { Actor } from "@/server/audit/actor";
import { DomainError } from "@/server/errors";
import type { HeaderReader } from "./api-exchange";

/**
 * The API key from `Authorization: Bearer <key>`, verified and holding `scope`.
 * 401 `missing_api_key` / `invalid_api_key` (unknown or revoked), 403 `insufficient_scope`.
 */
export async function authenticateApiKey(db: Db, request: { headers: HeaderReader }, scope: ApiKeyScope): Promise<VerifiedApiKey> {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new DomainError("unauthorized", "missing_api_key", "Send an API key as `Authorization: Bearer <key>`.");
  }
  const key = await verifyApiKey(db, match[1]);
  if (!key) throw new DomainError("unauthorized", "invalid_api_key", "The API key is unknown or has been revoked.");
  if (!key.scopes.includes(scope)) {
    throw new DomainError("forbidden", "insufficient_scope", `This API key lacks the \`${scope}\` scope.`, {
      required: scope,
      granted: key.scopes,
    });
  }
  return key;
}

export function apiKeyActor(key: VerifiedApiKey): Actor {
  return { type: "api_key", id: key.id, label: `${key.name} (${key.prefix}…)` };
}
