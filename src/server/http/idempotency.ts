import crypto from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { apiIdempotencyKeys } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { ApiResponse, HeaderReader } from "./api-exchange";

export const idempotencyLimits = {
  keyLengthMax: 255,
  /** How long a key's answer is kept (and replayed). */
  retentionHours: 24,
  /** A claim older than this whose request never finished (a crashed process) may be taken over. */
  leaseSeconds: 60,
  /** How long a second request with a key in progress waits for the first before 409. */
  waitMs: 5_000,
  pollMs: 50,
} as const;

/** The answer headers kept and replayed (the rest are per request: request id, rate limits). */
const replayedHeaders = ["content-type", "cache-control", "location", "tally-version"];

export function idempotencyKeyFrom(headers: HeaderReader): string | null {
  const key = headers.get("idempotency-key");
  if (key === null) return null;
  if (key.length === 0 || key.length > idempotencyLimits.keyLengthMax || !/^[\x21-\x7e]+$/.test(key)) {
    throw new DomainError("invalid", "invalid_idempotency_key", `An Idempotency-Key is 1 to ${idempotencyLimits.keyLengthMax} visible ASCII characters (a UUID is a good choice).`, undefined, { param: "Idempotency-Key" });
  }
  return key;
}

/**
 * What makes two requests "the same": method, path with query, the CloudEvents headers and
 * content type, and the body — JSON compared by value (key order and whitespace do not matter),
 * anything else byte for byte.
 */
export function requestFingerprint(method: string, url: string, headers: HeaderReader, body: string): string {
  const hash = crypto.createHash("sha256");
  hash.update(`${method} ${url}\n`);
  for (const name of ["content-type", "ce-specversion", "ce-id", "ce-source", "ce-type", "ce-subject", "ce-time"]) {
    const value = headers.get(name);
    if (value !== null) hash.update(`${name}: ${value}\n`);
  }
  hash.update(canonicalBody(body));
  return hash.digest("hex");
}

function canonicalBody(body: string): string {
  if (body.trim() === "") return "";
  try {
    return stableStringify(JSON.parse(body));
  } catch {
    return `raw:${body}`;
  }
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export type IdempotencyClaim = { apiKeyId: string; key: string; requestHash: string; method: string; path: string };
export type ClaimOutcome = { kind: "claimed" } | { kind: "replay"; response: ApiResponse };

/**
 * Claims the key for this request, or answers for it: the stored answer of the same request
 * (replayed), 422 `idempotency_key_reused` for another request, or — while the first request is
 * still running — waits up to `waitMs` for its answer, then 409 `idempotency_key_in_use`. A claim
 * whose lease ran out (its process died) is taken over.
 */
export async function claimIdempotencyKey(db: Db, claim: IdempotencyClaim, now: () => Date): Promise<ClaimOutcome> {
  const deadline = Date.now() + idempotencyLimits.waitMs;
  for (;;) {
    const at = now();
    const inserted = await db
      .insert(apiIdempotencyKeys)
      .values({ ...claim, status: "in_progress", lockedUntil: new Date(at.getTime() + idempotencyLimits.leaseSeconds * 1000), createdAt: at })
      .onConflictDoNothing()
      .returning({ key: apiIdempotencyKeys.key });
    if (inserted.length > 0) return { kind: "claimed" };
    const [row] = await db
      .select()
      .from(apiIdempotencyKeys)
      .where(and(eq(apiIdempotencyKeys.apiKeyId, claim.apiKeyId), eq(apiIdempotencyKeys.key, claim.key)));
    if (!row) continue; // pruned or released between the two statements: claim again
    if (row.status === "completed" && row.createdAt.getTime() <= at.getTime() - idempotencyLimits.retentionHours * 3_600_000) {
      // Older than the retention and not pruned yet: the key is free again, as if pruned.
      await db
        .delete(apiIdempotencyKeys)
        .where(and(eq(apiIdempotencyKeys.apiKeyId, claim.apiKeyId), eq(apiIdempotencyKeys.key, claim.key), eq(apiIdempotencyKeys.createdAt, row.createdAt)));
      continue;
    }
    if (row.requestHash !== claim.requestHash) {
      throw new DomainError(
        "precondition",
        "idempotency_key_reused",
        `This Idempotency-Key was used for a different request (${row.method} ${row.path.slice(0, 200)}, or another body) in the last ${idempotencyLimits.retentionHours} hours; use a new key for a new request.`,
        undefined,
        { param: "Idempotency-Key" },
      );
    }
    if (row.status === "completed") {
      return { kind: "replay", response: { status: row.responseStatus!, headers: { ...(row.responseHeaders ?? {}), "idempotent-replayed": "true" }, body: row.responseBody ?? "" } };
    }
    if (row.lockedUntil !== null && row.lockedUntil.getTime() < at.getTime()) {
      const taken = await db
        .update(apiIdempotencyKeys)
        .set({ lockedUntil: new Date(at.getTime() + idempotencyLimits.leaseSeconds * 1000) })
        .where(and(eq(apiIdempotencyKeys.apiKeyId, claim.apiKeyId), eq(apiIdempotencyKeys.key, claim.key), eq(apiIdempotencyKeys.status, "in_progress"), lt(apiIdempotencyKeys.lockedUntil, at)))
        .returning({ key: apiIdempotencyKeys.key });
      if (taken.length > 0) return { kind: "claimed" };
      continue;
    }
    if (Date.now() >= deadline) {
      throw new DomainError("conflict", "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry in a second to get its answer.", { retryAfterSeconds: 1 }, { param: "Idempotency-Key" });
    }
    await new Promise((resolve) => setTimeout(resolve, idempotencyLimits.pollMs));
  }
}

/** Stores the answer of a claimed key (2xx and 4xx: they are what this request means). */
export async function completeIdempotencyKey(db: Db, claim: Pick<IdempotencyClaim, "apiKeyId" | "key">, response: ApiResponse, at: Date): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of replayedHeaders) if (response.headers[name] !== undefined) headers[name] = response.headers[name];
  await db
    .update(apiIdempotencyKeys)
    .set({ status: "completed", responseStatus: response.status, responseHeaders: headers, responseBody: response.body, completedAt: at, lockedUntil: null })
    .where(and(eq(apiIdempotencyKeys.apiKeyId, claim.apiKeyId), eq(apiIdempotencyKeys.key, claim.key)));
}

/** Frees a claimed key after a failure on our side (5xx, 429) so that a retry runs the request again. */
export async function releaseIdempotencyKey(db: Db, claim: Pick<IdempotencyClaim, "apiKeyId" | "key">): Promise<void> {
  await db
    .delete(apiIdempotencyKeys)
    .where(and(eq(apiIdempotencyKeys.apiKeyId, claim.apiKeyId), eq(apiIdempotencyKeys.key, claim.key), eq(apiIdempotencyKeys.status, "in_progress")));
}

/** Deletes keys older than the retention, in bounded batches (each its own statement). Returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date, options: { batchSize?: number; batchesMax?: number } = {}): Promise<number> {
  return pruneOlderThan(db, "api_idempotency_keys", new Date(now.getTime() - idempotencyLimits.retentionHours * 3_600_000), options);
}

/** Batched delete of a log-like table's rows created before `cutoff` (the table has an index on created_at). */
export async function pruneOlderThan(db: Db, table: "api_idempotency_keys" | "api_request_log", cutoff: Date, options: { batchSize?: number; batchesMax?: number } = {}): Promise<number> {
  const batchSize = Math.min(Math.max(options.batchSize ?? 5_000, 1), 50_000);
  let deleted = 0;
  for (let batch = 0; batch < Math.min(options.batchesMax ?? 200, 10_000); batch++) {
    const [row] = await executeRows<{ deleted: string | number }>(
      db,
      sql`with doomed as (
            delete from ${sql.identifier(table)}
            where ctid = any(array(select ctid from ${sql.identifier(table)} where created_at < ${cutoff.toISOString()}::timestamptz limit ${batchSize}))
            returning 1
          )
          select count(*) as deleted from doomed`,
    );
    const count = Number(row?.deleted ?? 0);
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}
